// Saves memories FROM..TO-1 as AGENT into HEADROOM_HOME's memory (a child of the
// concurrency test; imports the built package).
import { Memories } from '../../dist/memory/memory.js';

const [from, to, agent] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const memories = await Memories.open({ project: 'github.com/acme/many' });
const counts = { inserted: 0, merged: 0 };
for (let i = from; i < to; i++) {
  const r = await memories.save({ text: `Service svc-${i} listens on port ${10000 + i} in staging`, agent, session: `${agent}-session`, source: 'tool' });
  counts[r.status]++;
}
memories.close();
process.stdout.write(JSON.stringify(counts));
