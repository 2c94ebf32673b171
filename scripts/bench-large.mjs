// Compress a ~10 MB tool output built from the bundled logs and report time and memory.
// Usage: node scripts/bench-large.mjs [MB]   (run `npm run build` first)
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const home = mkdtempSync(join(tmpdir(), 'headroom-large-'));
process.env.HEADROOM_HOME = home;
const { compressText } = await import('../dist/index.js');

const targetMB = Number(process.argv[2] ?? 10);
const dir = new URL('../fixtures/workloads/', import.meta.url);
const logs = ['p02-sre-postgres-deadlock-crash', 'p03-sre-nginx-upstream-502', 'p12-multiturn-sre-redis-oom'].flatMap((id) => {
  const body = JSON.parse(readFileSync(new URL(`${id}/request.json`, dir), 'utf8'));
  return body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .filter((b) => b.type === 'tool_result' && typeof b.content === 'string' && b.content.length > 20_000)
    .map((b) => b.content);
});
let text = '';
while (text.length < targetMB * 1024 * 1024) text += logs.join('\n') + '\n';
const rssBefore = process.memoryUsage().rss;
const r = compressText(text, { query: 'why did checkout fail and since when?' });
const rssAfter = process.memoryUsage().rss;
console.log(JSON.stringify({
  inputMB: +(text.length / 1024 / 1024).toFixed(2),
  kind: r.kind,
  compressMs: +r.ms.toFixed(1),
  tokensBefore: r.tokensBefore,
  tokensAfter: r.tokensAfter,
  rssGrowthMB: +((rssAfter - rssBefore) / 1024 / 1024).toFixed(1),
}));
rmSync(home, { recursive: true, force: true });
