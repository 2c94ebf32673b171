#!/usr/bin/env node
// `headroom learn` miner benchmark. Run after `npm run build`:
//   node scripts/bench-learn.mjs [--json] [--mb 100]
//
// 1. Precision and recall of the rules mined from the labelled scenario the real CLIs recorded
//    (fixtures/sessions/learn/<agent>/, read by the agents' real readers) against
//    fixtures/sessions/learn/expected-rules.json: per agent, and for all agents mined together.
//    A found rule is right when its key, kind and failing/fixing templates match an expected one.
// 3. End to end: `headroom learn --json` (discovery, the real readers, mining, planning) on `--mb`
//    megabytes of transcripts in the agents' own formats and folders: copies of the recorded
//    sessions, each with its own session id, under a temp home. Wall time and peak RSS (VmHWM).
// 2. Mining throughput and memory: `--mb` megabytes of tool output (default 100) as events of many
//    sessions (failures, fixes, corrections, noise) through the Miner alone (reading is the readers').
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { emptyCounts } from '../dist/agents/events.js';
import { commandKey } from '../dist/learn/commands.js';
import { Miner } from '../dist/learn/miner.js';

const ROOT = new URL('../fixtures/sessions/learn/', import.meta.url).pathname;
const json = process.argv.includes('--json');
const mbArg = process.argv.indexOf('--mb');
const MB = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 100;
const log = (s) => {
  if (!json) process.stdout.write(`${s}\n`);
};

const READERS = { claude: 'readClaudeEvents', codex: 'readCodexEvents', copilot: 'readCopilotEvents', gemini: 'readGeminiEvents', aider: 'readAiderEvents' };
const expected = JSON.parse(fs.readFileSync(join(ROOT, 'expected-rules.json'), 'utf8'));

/** The transcripts in an agent's folder (subagent transcripts are read through their session's). */
function transcripts(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .map((e) => ({ e, path: join(e.parentPath, e.name) }))
    .filter(({ e, path }) => e.isFile() && /\.(jsonl|md)$/.test(e.name) && !path.includes('/subagents/'))
    .map(({ path }) => path)
    .sort();
}

async function reader(agent) {
  try {
    const mod = await import(`../dist/agents/${agent}-events.js`);
    return typeof mod[READERS[agent]] === 'function' ? mod[READERS[agent]] : undefined;
  } catch {
    return undefined;
  }
}

async function mine(agents) {
  const miner = new Miner();
  for (const { agent, read } of agents) {
    for (const file of transcripts(join(ROOT, agent))) {
      for await (const event of await read(file, emptyCounts())) miner.add(event);
    }
  }
  return miner.rules({ minSessions: expected.minSessions });
}

function score(rules) {
  const right = (r) => {
    const want = expected.rules.find((w) => w.key === r.key);
    if (want === undefined || want.kind !== r.kind) return false;
    return r.evidence.every((e) => (e.failing === undefined || commandKey(e.failing) === want.failing) && (e.fixing === undefined || commandKey(e.fixing) === want.fixing));
  };
  const good = rules.filter(right);
  const recalled = expected.rules.filter((w) => good.some((r) => r.key === w.key));
  return { found: rules.length, correct: good.length, precision: rules.length === 0 ? 0 : good.length / rules.length, recall: recalled.length / expected.rules.length, keys: rules.map((r) => `${r.kind} ${r.key}`) };
}

const results = { agents: {}, missing: [] };
const present = [];
for (const agent of Object.keys(READERS)) {
  if (transcripts(join(ROOT, agent)).length === 0) continue;
  const read = await reader(agent);
  if (read === undefined) {
    results.missing.push(`${agent}: no ${READERS[agent]} in dist/agents/${agent}-events.js (build the reader first)`);
    continue;
  }
  present.push({ agent, read });
  results.agents[agent] = score(await mine([{ agent, read }]));
}
if (present.length > 0) results.all = score(await mine(present));

log('Labelled scenario (fixtures/sessions/learn, expected-rules.json):');
for (const [agent, s] of Object.entries(results.agents)) {
  log(`  ${agent.padEnd(8)} precision ${s.precision.toFixed(2)}  recall ${s.recall.toFixed(2)}  (${s.correct}/${s.found} right)  ${s.keys.join('; ')}`);
}
if (results.all) log(`  ${'all'.padEnd(8)} precision ${results.all.precision.toFixed(2)}  recall ${results.all.recall.toFixed(2)}  (${results.all.correct}/${results.all.found} right)`);
for (const m of results.missing) log(`  missing reader: ${m}`);

results.throughput = throughput(MB);
const t = results.throughput;
log(`Mining ${t.mb} MB of tool output (${t.events} events, ${t.sessions} sessions): ${t.seconds.toFixed(2)} s, heap growth ${t.heapGrowthMB.toFixed(1)} MB, ${t.rules} rules`);
results.endToEnd = await endToEnd(MB);
const e = results.endToEnd;
log(`headroom learn end to end on ${e.mb.toFixed(0)} MB of transcripts (${e.files} files of 4 agents): ${e.seconds.toFixed(2)} s, peak RSS ${e.peakRssMB} MB, ${e.rules} rules, exit ${e.exit}`);
if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
if (results.missing.length > 0 || present.length === 0) process.exitCode = 1;

/** Synthetic sessions of several agents: a recurring fix, a recurring correction, loops and one-off noise, with big outputs. */
function throughput(mb) {
  const agents = ['claude', 'codex', 'copilot', 'gemini'];
  const lines = ['npm error Missing script: "test"', '    at Object.<anonymous> (/work/project/src/index.ts:42:17)', 'FAIL src/parser.test.ts > parses nested lists (12 ms)', "TypeError: Cannot read properties of undefined (reading 'map')"];
  // A pool of distinct failing outputs (~3 KB each), made before the clock starts.
  const pool = Array.from({ length: 64 }, (_, i) => `${Array.from({ length: 60 }, (_, k) => `${lines[(i + k) % lines.length]} #${i * 60 + k}`).join('\n')}\nerror ${i}: the command failed\n`);
  const output = (i) => pool[i % pool.length];
  const target = mb * 1024 * 1024;
  let chars = 0;
  let events = 0;
  let sessions = 0;
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  const miner = new Miner();
  while (chars < target) {
    const agent = agents[sessions % agents.length];
    const session = `s${sessions++}`;
    let line = 0;
    const base = () => ({ agent, session, file: `/bench/${session}.jsonl`, line: ++line, time: '2026-11-21T10:00:00.000Z' });
    const run = (command, exitCode) => {
      const id = `c${line}`;
      const out = exitCode === 0 ? 'ok\n' : output(sessions);
      miner.add({ ...base(), kind: 'call', id, tool: 'Bash', command, input: { command } });
      miner.add({ ...base(), kind: 'result', id, output: out, outputChars: out.length, exitCode, isError: exitCode !== 0 });
      chars += out.length;
      events += 2;
    };
    run(`cd /tmp/work-${sessions} && npm test`, 1);
    run('npm run check', 0);
    run(`node build.js --out /tmp/o${sessions}`, 2);
    miner.add({ ...base(), kind: 'user', text: 'No, never run node build.js directly: use make build instead.' });
    events++;
    run('make build', 0);
    for (let i = 0; i < 3; i++) run(`npx eslint src/file${sessions % 7}.ts`, 1);
    run(`ls generated-${sessions}`, 2);
    run('ls', 0);
    miner.add({ ...base(), kind: 'user', text: 'Now summarise the README in one line.' });
    events++;
  }
  const rules = miner.rules({ minSessions: 2 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  global.gc?.();
  return { mb, events, sessions, seconds, heapGrowthMB: (process.memoryUsage().heapUsed - before) / 1024 / 1024, rules: rules.length };
}

/** Copies of the recorded sessions, each with its own id, where each agent keeps them, until `mb` megabytes. */
function writeTranscripts(home, project, mb) {
  const recorded = /\/tmp\/headroom-learn[-A-Za-z0-9]*\/project/g;
  const sources = ['claude', 'codex', 'copilot', 'gemini'].flatMap((agent) => transcripts(join(ROOT, agent)).map((file) => ({ agent, text: fs.readFileSync(file, 'utf8').replace(recorded, project) })));
  const place = { claude: (id) => `.claude/projects/-project/${id}.jsonl`, codex: (id) => `.codex/sessions/2026/11/21/rollout-${id}.jsonl`, copilot: (id) => `.copilot/session-state/${id}/events.jsonl`, gemini: (id) => `.gemini/tmp/project/chats/session-${id}.jsonl` };
  fs.mkdirSync(join(home, '.gemini/tmp/project'), { recursive: true });
  fs.writeFileSync(join(home, '.gemini/tmp/project/.project_root'), project);
  let bytes = 0;
  let files = 0;
  for (let n = 0; bytes < mb * 1024 * 1024; n++) {
    const { agent, text } = sources[n % sources.length];
    const old = /"(?:sessionId|session_id|id)":"([0-9a-f-]{36})"/.exec(text)?.[1];
    const id = randomUUID();
    const copy = old ? text.split(old).join(id) : text;
    const path = join(home, place[agent](id));
    fs.mkdirSync(dirname(path), { recursive: true });
    fs.writeFileSync(path, copy);
    bytes += Buffer.byteLength(copy);
    files++;
  }
  return { bytes, files };
}

async function endToEnd(mb) {
  const root = fs.mkdtempSync(join(os.tmpdir(), 'headroom-bench-learn-'));
  try {
    const home = join(root, 'home');
    const project = join(root, 'project');
    fs.mkdirSync(project, { recursive: true });
    const { bytes, files } = writeTranscripts(home, project, mb);
    const cli = new URL('../dist/cli.js', import.meta.url).pathname;
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, 'learn', '--json'], { cwd: project, env: { PATH: process.env.PATH, HOME: home, HEADROOM_HOME: join(root, 'headroom') } });
    let out = '';
    let peak = 0;
    child.stdout.on('data', (d) => (out += d));
    const sample = setInterval(() => {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    }, 20);
    const exit = await new Promise((done) => child.on('exit', (code) => done(code)));
    clearInterval(sample);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const rules = exit === 0 ? JSON.parse(out).rules.length : 0;
    return { mb: bytes / 1024 / 1024, files, seconds, peakRssMB: Math.round(peak / 1024), rules, exit };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
