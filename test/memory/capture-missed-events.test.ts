import * as fs from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { agentNamed, type Agent } from '../../src/agents/index.js';
import { startCapture } from '../../src/memory/capture.js';

// chokidar lists a new folder, then watches it: a file created in between is never reported, and
// neither are its later writes. Here the real watcher is made to miss every file's events, as it
// does in that race (seen with Codex under load), to check the capture still reads the file while
// the agent runs.
vi.mock('chokidar', async (importOriginal) => {
  const real = await importOriginal<typeof import('chokidar')>();
  return {
    ...real,
    watch: (...args: Parameters<typeof real.watch>) => {
      const w = real.watch(...args);
      const on = w.on.bind(w);
      (w as { on: unknown }).on = (event: string, listener: (...a: unknown[]) => void) =>
        event === 'add' || event === 'change' ? w : on(event as 'all', listener as never);
      return w;
    },
  };
});

const FIXTURES = join(import.meta.dirname, '../../fixtures/sessions');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(join(os.tmpdir(), 'headroom-capture-missed-'));
  dirs.push(d);
  return d;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('reads the lines written later into a file the watcher never reported, while the agent runs', async () => {
  const home = tempDir();
  const cwd = tempDir();
  const codexHome = join(home, '.codex');
  const got: string[] = [];
  const c = await startCapture({ agent: agentNamed('codex') as Agent, env: { CODEX_HOME: codexHome }, cwd, onRemember: (fact) => void got.push(fact) });
  try {
    const text = fs.readFileSync(join(FIXTURES, 'codex/rollout-1.jsonl'), 'utf8').replace(/\/tmp\/headroom-record-[A-Za-z0-9]+\/project/g, cwd);
    const lines = text.split(/(?<=\n)/);
    const prompt = lines.findIndex((l) => l.includes('5433'));
    expect(prompt).toBeGreaterThan(0);
    const file = join(codexHome, 'sessions', '2026', '11', '21', 'rollout-2026-11-21T07-57-55-x.jsonl');
    fs.mkdirSync(dirname(file), { recursive: true });
    // The session's head first, found by the sweep of the new folders...
    fs.writeFileSync(file, lines.slice(0, prompt).join(''));
    await new Promise((r) => setTimeout(r, 1_500));
    // ...then the user's prompt, with no watcher event for it.
    fs.appendFileSync(file, lines.slice(prompt).join(''));
    await until('the fact, before close', () => got.length === 1);
  } finally {
    await c.close();
  }
  expect(got).toEqual(['the staging database listens on port 5433']);
});
