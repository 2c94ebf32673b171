import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { compareSession, type BilledRequest, type SessionComparison } from '../../src/bench/session-report.js';
import { loadPricing, priceFor } from '../../src/pricing.js';
import { runClaude, runCodex, type AgentRun } from '../helpers/agent-cli.js';
import { ROOT } from '../helpers/build-dist.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { simulatedCache, type BilledCall } from '../helpers/simulated-cache.js';
import { sessionModel } from './session-model.js';
import type { SessionScript } from './session-scripts.js';

export type SessionAgent = 'claude' | 'codex';

/** Codex gets a model the price table knows; Claude Code sends its own default. */
const CODEX_MODEL = 'gpt-5-codex';
/** What a model the table does not price is priced as. */
const FALLBACK_PRICE: Record<SessionAgent, string> = { claude: 'claude-sonnet-4-5', codex: 'gpt-5-codex' };
const UPSTREAM_ENV: Record<SessionAgent, string> = { claude: 'HEADROOM_ANTHROPIC_UPSTREAM', codex: 'HEADROOM_OPENAI_UPSTREAM' };

interface ModeRun {
  run: AgentRun;
  billed: BilledCall[];
  retrievals: number;
  commandsSent: number;
}

export interface SessionResult {
  comparison: SessionComparison;
  without: ModeRun;
  with: ModeRun;
}

/**
 * One scripted session, run twice by the real agent CLI, each time in a fresh clone of `repo` at
 * `commit` against a fake provider with its own simulated prompt cache: straight to the provider,
 * and through `headroom wrap` (its embedded proxy and the source hook; build dist first).
 */
export async function runSession(agent: SessionAgent, session: SessionScript, opts: { repo?: string; commit?: string; timeoutMs?: number } = {}): Promise<SessionResult> {
  const repo = opts.repo ?? ROOT;
  const commit = opts.commit ?? git(repo, ['rev-parse', 'HEAD']);
  const without = await runMode(agent, session, repo, commit, false, opts.timeoutMs);
  const withHeadroom = await runMode(agent, session, repo, commit, true, opts.timeoutMs);
  const table = loadPricing({});
  const model = withHeadroom.billed.find((b) => b.toolNames.length > 0)?.model ?? '';
  const price = priceFor(table, model) ?? priceFor(table, FALLBACK_PRICE[agent])!;
  // The table entry the model was priced by (a newer model takes its family's nearest entry).
  const pricedAs = Object.keys(table.models).find((name) => table.models[name] === price)!;
  const comparison = compareSession(
    { session: session.id, agent, pricedAs, retrievals: withHeadroom.retrievals },
    without.billed.map(billedRequest),
    withHeadroom.billed.map(billedRequest),
    price,
  );
  return { comparison, without, with: withHeadroom };
}

async function runMode(agent: SessionAgent, session: SessionScript, repo: string, commit: string, headroom: boolean, timeoutMs = 600_000): Promise<ModeRun> {
  const root = fs.mkdtempSync(join(os.tmpdir(), 'headroom-session-'));
  const [home, cwd, headroomHome] = ['home', 'repo', 'headroom'].map((d) => join(root, d)) as [string, string, string];
  fs.mkdirSync(home);
  fs.mkdirSync(headroomHome);
  git(root, ['clone', '-q', '--no-checkout', repo, cwd]);
  git(cwd, ['checkout', '-q', commit]);
  const model = sessionModel(session);
  const cache = simulatedCache();
  const fake = await startFakeUpstream(model.script, { usage: cache.hook });
  try {
    const wrap = headroom ? { headroomHome, env: { [UPSTREAM_ENV[agent]]: fake.url } } : undefined;
    const common = { baseUrl: fake.url, prompt: session.prompt, home, cwd, timeoutMs, ...(wrap ? { wrap } : {}) };
    const run = agent === 'claude' ? await runClaude(common) : await runCodex({ ...common, model: CODEX_MODEL });
    if (run.code !== 0 || model.commandsSent() < session.commands.length) {
      throw new Error(`${agent} ${session.id} (${headroom ? 'headroom' : 'without'}): exited ${run.code}${run.timedOut ? ' (timed out)' : ''} after ${model.commandsSent()}/${session.commands.length} commands\n${run.stderr.slice(-3000)}`);
    }
    return { run, billed: cache.billed, retrievals: model.retrievals(), commandsSent: model.commandsSent() };
  } finally {
    await fake.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function billedRequest(b: BilledCall): BilledRequest {
  return { format: b.format, model: b.model, body: b.body, main: b.toolNames.length > 0, usage: b.usage, output: b.output };
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}
