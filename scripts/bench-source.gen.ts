import { it } from 'vitest';
import { buildDist } from '../test/helpers/build-dist.js';
import { runSourceMode, type SourceAgent, type SourceFigures } from '../test/helpers/source-compare.js';

// What reaches the model when a real agent CLI (Claude Code, Codex, Copilot CLI, opencode; offline against
// the fake upstream) runs `cat` on each benchmark workload's big tool output: the agent alone (its
// own cut), through the proxy only, and with source compression (the per-session hook).
// Run: npx vitest run --config scripts/bench-source.config.mjs
// One agent: HEADROOM_BENCH_AGENTS=codex npx vitest run --config scripts/bench-source.config.mjs

const WORKLOADS = [
  'p02-sre-postgres-deadlock-crash',
  'p03-sre-nginx-upstream-502',
  'p04-issue-triage-rails-admin',
  'p06-test-failure-express-cookie',
  'p07-build-error-hono-middleware-type',
  'p08-git-history-fastify-log',
  'p09-git-diff-express-node-prefix',
  'p10-json-api-org-repos',
  'p12-multiturn-sre-redis-oom',
  'p13-json-api-npm-ls-express',
];

const AGENTS = (process.env.HEADROOM_BENCH_AGENTS ?? 'claude,codex,copilot,opencode').split(',').map((a) => a.trim()) as SourceAgent[];

it('source compression figures', async () => {
  buildDist();
  for (const agent of AGENTS) {
    const rows: string[] = [`${agent}: workload | output tok | agent alone: tok, needles | proxy only | source`, '---|---|---|---|---'];
    const totals = { output: 0, alone: 0, proxy: 0, source: 0, needles: 0, aloneN: 0, proxyN: 0, sourceN: 0 };
    for (const id of WORKLOADS) {
      const f: SourceFigures[] = [];
      for (const mode of ['agent alone', 'proxy only', 'source'] as const) {
        const r = await runSourceMode(id, mode, agent);
        if (r.run.code !== 0) throw new Error(`${agent} ${id} ${mode}: exited ${r.run.code}: ${r.run.stderr}`);
        f.push(r);
      }
      const [a, p, s] = f as [SourceFigures, SourceFigures, SourceFigures];
      rows.push(`${id} | ${a.outputTokens} | ${a.seenTokens}, ${a.needlesSeen}/${a.needles} | ${p.seenTokens}, ${p.needlesSeen}/${p.needles} | ${s.seenTokens}, ${s.needlesSeen}/${s.needles}`);
      totals.output += a.outputTokens;
      totals.alone += a.seenTokens;
      totals.proxy += p.seenTokens;
      totals.source += s.seenTokens;
      totals.needles += a.needles;
      totals.aloneN += a.needlesSeen;
      totals.proxyN += p.needlesSeen;
      totals.sourceN += s.needlesSeen;
    }
    rows.push(`total | ${totals.output} | ${totals.alone}, ${totals.aloneN}/${totals.needles} | ${totals.proxy}, ${totals.proxyN}/${totals.needles} | ${totals.source}, ${totals.sourceN}/${totals.needles}`);
    console.log(rows.join('\n'));
  }
}, 3_600_000);
