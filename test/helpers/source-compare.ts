import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { needleInView } from '../../src/bench/needles.js';
import { countTokens } from '../../src/compress/tokens.js';
import { runClaude, runCodex, runCopilot, shellThenAnswer, type AgentRun, type AgentRunOptions } from './agent-cli.js';
import { ROOT } from './build-dist.js';
import { startFakeUpstream } from './fake-upstream.js';
import { runOpencode } from './opencode-cli.js';

/** The agents whose source compression is compared; each run gets its own CLI's runner. */
export type SourceAgent = 'claude' | 'codex' | 'copilot' | 'opencode';

const RUNNERS: Record<SourceAgent, (opts: AgentRunOptions) => Promise<AgentRun>> = { claude: runClaude, codex: runCodex, copilot: runCopilot, opencode: runOpencode };

/** The proxy upstream variable for each agent's wire format under wrap (opencode: its default model is Anthropic's). */
const UPSTREAM_ENV: Record<SourceAgent, string> = {
  claude: 'HEADROOM_ANTHROPIC_UPSTREAM',
  codex: 'HEADROOM_OPENAI_UPSTREAM',
  copilot: 'HEADROOM_OPENAI_UPSTREAM',
  opencode: 'HEADROOM_ANTHROPIC_UPSTREAM',
};

/**
 * What reaches the model when an agent (default Claude Code) runs a command whose output is a big real log (a
 * benchmark workload's tool output): Claude Code alone, through `headroom wrap` with the proxy
 * only (--no-exec-hook), and with source compression (the per-session hook).
 */
export type SourceMode = 'agent alone' | 'proxy only' | 'source';

export interface SourceFigures {
  workload: string;
  agent: SourceAgent;
  mode: SourceMode;
  outputTokens: number;
  /** Tokens of the tool output as the model got it. */
  seenTokens: number;
  needles: number;
  needlesSeen: number;
  run: AgentRun;
  seen: string;
  /** What wrap left behind after the agent exited (nothing, if it cleans up): under HEADROOM_HOME/sessions, and Copilot's data folder for the session's plugin. */
  leftInSessions: string[];
}

const WORKLOADS_DIR = join(ROOT, 'fixtures/workloads');

/** The workload's (largest) tool output, its question and its needles. */
export function workloadOutput(id: string): { output: string; question: string; needles: string[] } {
  const dir = join(WORKLOADS_DIR, id);
  const req = JSON.parse(fs.readFileSync(join(dir, 'request.json'), 'utf8')) as { messages: Array<{ content: unknown }> };
  let output = '';
  for (const m of req.messages) {
    if (!Array.isArray(m.content)) continue;
    for (const b of m.content as Array<{ type?: string; content?: unknown }>) {
      if (b.type !== 'tool_result') continue;
      const t = typeof b.content === 'string' ? b.content : (b.content as Array<{ text?: string }>).map((x) => x.text ?? '').join('');
      if (t.length > output.length) output = t;
    }
  }
  const needles = (JSON.parse(fs.readFileSync(join(dir, 'needles.json'), 'utf8')) as { needles: Array<{ text: string }> }).needles.map((n) => n.text);
  return { output, question: fs.readFileSync(join(dir, 'question.txt'), 'utf8').trim(), needles: needles.filter((n) => needleInView(n, output)) };
}

export interface SourceRunOptions {
  /** An execpolicy rules file for Codex's CODEX_HOME/rules (e.g. one that forbids `cat`). */
  codexRules?: string;
  /** The command the model runs; default `cat output.log`. */
  command?: string;
  /** Called with HEADROOM_HOME and what the model saw after the run, before the folders go (e.g. to retrieve an original). */
  afterRun?: (headroomHome: string, seen: string) => void;
  /** Keep wrap's savings ledger (under HEADROOM_HOME); by default the run writes none. */
  ledger?: boolean;
}

/**
 * One run of `agent` in one mode. The model asks for no larger output budget than the agent's
 * default, so Codex cuts the output as it does by default.
 */
export async function runSourceMode(id: string, mode: SourceMode, agent: SourceAgent = 'claude', opts: SourceRunOptions = {}): Promise<SourceFigures> {
  const { output, question, needles } = workloadOutput(id);
  const root = fs.mkdtempSync(join(os.tmpdir(), 'headroom-source-'));
  const home = join(root, 'home');
  const cwd = join(root, 'project');
  const headroomHome = join(root, 'headroom');
  for (const d of [home, cwd, headroomHome]) fs.mkdirSync(d);
  fs.writeFileSync(join(cwd, 'output.log'), output);
  if (opts.codexRules) {
    fs.mkdirSync(join(home, '.codex', 'rules'), { recursive: true });
    fs.writeFileSync(join(home, '.codex', 'rules', 'default.rules'), opts.codexRules);
  }
  let seen = '';
  const fake = await startFakeUpstream(
    shellThenAnswer(
      opts.command ?? 'cat output.log',
      (out) => {
        seen = out;
        return 'Read it.';
      },
      { liftCodexCap: false },
    ),
  );
  try {
    const wrap =
      mode === 'agent alone'
        ? undefined
        : { headroomHome, env: { [UPSTREAM_ENV[agent]]: fake.url }, args: [...(opts.ledger ? [] : ['--no-ledger']), ...(mode === 'proxy only' ? ['--no-exec-hook'] : [])] };
    const run = await RUNNERS[agent]({ baseUrl: fake.url, prompt: question, home, cwd, timeoutMs: 120_000, ...(wrap ? { wrap } : {}) });
    opts.afterRun?.(headroomHome, seen);
    return {
      workload: id,
      agent,
      mode,
      outputTokens: countTokens(output),
      seenTokens: countTokens(seen),
      needles: needles.length,
      needlesSeen: needles.filter((n) => needleInView(n, seen)).length,
      run,
      seen,
      leftInSessions: [join(headroomHome, 'sessions'), join(home, '.copilot/plugin-data/_direct')].flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d).map((f) => join(d, f)) : [])),
    };
  } finally {
    await fake.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
