import { it } from 'vitest';
import { buildDist } from '../test/helpers/build-dist.js';
import { runSourceMode, type SourceFigures } from '../test/helpers/source-compare.js';

// What reaches the model when the real Claude Code CLI runs `cat` on each benchmark workload's
// big tool output: Claude Code alone, through the proxy only, and with source compression.
// Run: npx vitest run --config scripts/bench-source.config.mjs

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

it('source compression figures', async () => {
  buildDist();
  const rows: string[] = ['workload | output tok | agent alone: tok, needles | proxy only | source | ', '---|---|---|---|---'];
  const totals = { alone: 0, proxy: 0, source: 0, needles: 0, aloneN: 0, proxyN: 0, sourceN: 0 };
  for (const id of WORKLOADS) {
    const f: SourceFigures[] = [];
    for (const mode of ['agent alone', 'proxy only', 'source'] as const) f.push(await runSourceMode(id, mode));
    const [a, p, s] = f as [SourceFigures, SourceFigures, SourceFigures];
    rows.push(`${id} | ${a.outputTokens} | ${a.seenTokens}, ${a.needlesSeen}/${a.needles} | ${p.seenTokens}, ${p.needlesSeen}/${p.needles} | ${s.seenTokens}, ${s.needlesSeen}/${s.needles}`);
    totals.alone += a.seenTokens;
    totals.proxy += p.seenTokens;
    totals.source += s.seenTokens;
    totals.needles += a.needles;
    totals.aloneN += a.needlesSeen;
    totals.proxyN += p.needlesSeen;
    totals.sourceN += s.needlesSeen;
  }
  rows.push(`total | | ${totals.alone}, ${totals.aloneN}/${totals.needles} | ${totals.proxy}, ${totals.proxyN}/${totals.needles} | ${totals.source}, ${totals.sourceN}/${totals.needles}`);
  console.log(rows.join('\n'));
}, 1_200_000);
