import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The real benchmark workloads shipped with the repository. */
const WORKLOADS_DIR = fileURLToPath(new URL('../../fixtures/workloads', import.meta.url));

export interface Needle {
  text: string;
  why?: string;
  where?: { tool_result_index?: number };
}

/** Folder names of all workloads, sorted; `workloadId('p09')` finds a folder by its prefix. */
export function workloadIds(): string[] {
  return readdirSync(WORKLOADS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function workloadId(prefix: string): string {
  const id = workloadIds().find((w) => w === prefix || w.startsWith(`${prefix}-`));
  if (!id) throw new Error(`no workload ${prefix}`);
  return id;
}

interface Block {
  type?: string;
  content?: unknown;
}

/** The tool outputs of a workload, in request order (the index is `tool_result_index`). */
export function toolOutputs(id: string): string[] {
  const req = JSON.parse(readFileSync(join(WORKLOADS_DIR, workloadId(id), 'request.json'), 'utf8')) as {
    messages: Array<{ content: string | Block[] }>;
  };
  const out: string[] = [];
  for (const m of req.messages) {
    if (typeof m.content === 'string') continue;
    for (const b of m.content) {
      if (b.type !== 'tool_result') continue;
      if (typeof b.content === 'string') out.push(b.content);
      else if (Array.isArray(b.content))
        out.push((b.content as Block[]).map((p) => (p as { text?: string }).text ?? '').join('\n'));
    }
  }
  return out;
}

/** The user's task: the query compressors score relevance against. */
export function question(id: string): string {
  return readFileSync(join(WORKLOADS_DIR, workloadId(id), 'question.txt'), 'utf8').trim();
}

export function needles(id: string): Needle[] {
  return (JSON.parse(readFileSync(join(WORKLOADS_DIR, workloadId(id), 'needles.json'), 'utf8')) as { needles: Needle[] }).needles;
}
