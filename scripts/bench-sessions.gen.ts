import * as fs from 'node:fs';
import { it } from 'vitest';
import { sessionTable, type SessionComparison } from '../src/bench/session-report.js';
import { buildDist } from '../test/helpers/build-dist.js';
import { runSession, type SessionAgent } from '../test/bench/run-session.js';
import { SESSIONS } from '../test/bench/session-scripts.js';

// Run by scripts/bench-sessions.mjs (which reads its options); see there.

const AGENTS = (process.env.HEADROOM_BENCH_AGENTS ?? 'claude,codex').split(',').map((a) => a.trim()) as SessionAgent[];
const ONLY = process.env.HEADROOM_BENCH_SESSIONS?.split(',').map((s) => s.trim());

it('session figures', async () => {
  buildDist();
  const rows: SessionComparison[] = [];
  for (const session of SESSIONS.filter((s) => !ONLY || ONLY.includes(s.id))) {
    for (const agent of AGENTS) rows.push((await runSession(agent, session)).comparison);
  }
  const out = process.env.HEADROOM_BENCH_OUT;
  if (out) fs.writeFileSync(out, JSON.stringify(rows, null, 2));
  console.log(sessionTable(rows));
}, 7_200_000);
