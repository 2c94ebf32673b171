#!/usr/bin/env node
// Whole sessions of real agents, billed as the provider would bill them: the real Claude Code and
// Codex CLIs (pinned, offline: scripts/install-agents.mjs) run scripted tool-heavy sessions (20-40
// turns: searches, file reads, failing tests, logs, an edit, reruns) in a clone of this
// repository, each session twice: straight to a fake provider, and under `headroom wrap`. The fake
// provider bills every request through a simulated prompt cache (src/bench/cache-sim.ts), so the
// figures are the provider's usage fields: input, cache reads, cache writes, output, priced from
// data/pricing.json. Per session: both bills, the cache hit rate, the cache busts headroom caused
// and the retrievals the model made.
// A script, not `headroom bench --sessions`: it needs the agent CLIs and the test helpers that run
// them offline (test/helpers), which are not part of the installed package.
// Usage: node scripts/bench-sessions.mjs [--agents claude,codex] [--sessions failing-test,explore] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const opt = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const json = process.argv.includes('--json');
const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-sessions-'));
const out = join(dir, 'sessions.json');
try {
  const env = { ...process.env, HEADROOM_BENCH_OUT: out };
  if (opt('--agents')) env.HEADROOM_BENCH_AGENTS = opt('--agents');
  if (opt('--sessions')) env.HEADROOM_BENCH_SESSIONS = opt('--sessions');
  const vitest = join(root, 'node_modules/vitest/vitest.mjs');
  const r = spawnSync(process.execPath, [vitest, 'run', '--config', 'scripts/bench-sessions.config.mjs'], { cwd: root, env, stdio: json ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  if (json) process.stdout.write(`${readFileSync(out, 'utf8')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
