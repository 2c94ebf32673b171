import { toolOutputs, question, needles, workloadIds } from './fixtures.js';
import { compressText } from '../../src/compress/compress-text.js';
import { detectKind } from '../../src/compress/detect.js';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { needleInView } from '../../src/bench/needles.js';
import { mkdtempSync } from 'node:fs';
const store = new FileCcrStore(mkdtempSync('/tmp/hr-'));
for (const id of workloadIds()) {
  const outs = toolOutputs(id); const q = question(id); const ns = needles(id);
  outs.forEach((o, i) => {
    const d = detectKind(o);
    const r = compressText(o, { query: q, store });
    const mine = ns.filter(n => n.where?.tool_result_index === i);
    const inv = mine.map(n => needleInView(n.text, r.text) ? 'Y' : 'N').join('');
    console.log(id.slice(0,3), i, o.length, d.kind, d.language ?? '', r.kind, r.tokensBefore, r.tokensAfter, (100*(1-r.tokensAfter/r.tokensBefore)).toFixed(0)+'%', inv, JSON.stringify(o.slice(0,60)));
    mine.forEach(n => { if (!needleInView(n.text, r.text)) console.log('   MISSING', JSON.stringify(n.text)); });
  });
  const orphan = ns.filter(n => n.where?.tool_result_index === undefined || n.where.tool_result_index >= outs.length);
  if (orphan.length) console.log('  orphan needles', orphan.length);
}
