import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { compressRequest } from '../proxy/compress-request.js';
import type { CcrStore } from '../compress/ccr-store.js';
import { needleInView } from './needles.js';
import { countTokens } from '../compress/tokens.js';
import { stripBom } from '../utf8-bom.js';
import { fileURLToPath } from 'node:url';

/** The workloads bundled with the package (a copy of the shared benchmark corpus). */
export function bundledWorkloadsDir(): string {
  return fileURLToPath(new URL('../../fixtures/workloads', import.meta.url));
}

export interface WorkloadResult {
  id: string;
  category: string;
  outputs: number;
  inputKB: number;
  tokensBefore: number;
  tokensAfter: number;
  savingPct: number;
  requestTokensBefore: number;
  requestTokensAfter: number;
  needles: number;
  inView: number;
  retrievable: number;
  lost: number;
  lostNeedles: string[];
  ms: number;
}

interface NeedleFile {
  needles: Array<{ text: string; where?: { tool_result_index?: number } }>;
}

/** Category of a workload folder: the part after the number, up to a known family name. */
export function categoryOf(id: string): string {
  const rest = id.replace(/^p?\d+-/, '');
  for (const c of ['code-search', 'sre', 'issue-triage', 'codebase', 'test-failure', 'build-error', 'git', 'json-api', 'multiturn']) {
    if (rest.startsWith(c)) return c;
  }
  return rest.split('-')[0] ?? rest;
}

export function listWorkloads(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'request.json')))
    .map((d) => d.name)
    .sort();
}

/** One file of a workload as text; a workload written by an editor may start with a byte order mark. */
export function readWorkloadFile(dir: string, id: string, name: string): string {
  return stripBom(readFileSync(join(dir, id, name), 'utf8'));
}

/** Compress one workload's request and check its needles. */
export function runWorkload(dir: string, id: string, store: CcrStore): WorkloadResult {
  const base = join(dir, id);
  const raw = readWorkloadFile(dir, id, 'request.json');
  const question = existsSync(join(base, 'question.txt')) ? readWorkloadFile(dir, id, 'question.txt').trim() : undefined;
  const needles = existsSync(join(base, 'needles.json')) ? (JSON.parse(readWorkloadFile(dir, id, 'needles.json')) as NeedleFile).needles : [];
  const result = compressRequest(raw, { ...(question ? { query: question } : {}), store });
  const outs = result.toolOutputs;
  let inView = 0;
  let retrievable = 0;
  const lostNeedles: string[] = [];
  for (const n of needles) {
    const idx = n.where?.tool_result_index;
    const candidates = idx !== undefined && outs[idx] ? [outs[idx]] : outs;
    if (candidates.some((o) => needleInView(n.text, o.text))) inView++;
    else if (candidates.some((o) => o.retrievalKeys.some((k) => store.get(k)?.includes(n.text)))) retrievable++;
    else lostNeedles.push(n.text);
  }
  const saved = result.tokensBefore - result.tokensAfter;
  return {
    id,
    category: categoryOf(id),
    outputs: outs.length,
    inputKB: Math.round(raw.length / 1024),
    tokensBefore: result.tokensBefore,
    tokensAfter: result.tokensAfter,
    savingPct: result.tokensBefore === 0 ? 0 : (100 * saved) / result.tokensBefore,
    requestTokensBefore: countTokens(raw),
    requestTokensAfter: countTokens(result.body),
    needles: needles.length,
    inView,
    retrievable,
    lost: lostNeedles.length,
    lostNeedles,
    ms: outs.reduce((a, o) => a + o.ms, 0),
  };
}
