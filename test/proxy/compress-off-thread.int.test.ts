import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ccrKey, FileCcrStore, type CcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import { compressRequestOffThread } from '../../src/proxy/compress-off-thread.js';
import { CompressPool } from '../../src/proxy/compress-pool.js';
import { compressRequestBody } from '../../src/proxy/compress-request.js';
import { adapterFor } from '../../src/providers/index.js';
import { ConversationState } from '../../src/proxy/conversation-state.js';

const anthropic = adapterFor('anthropic');
const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-off-thread-'));
const store = new FileCcrStore(join(home, 'ccr'));
const pool = new CompressPool();
afterAll(async () => {
  await pool.close();
  fs.rmSync(home, { recursive: true, force: true });
});

/** Adds nothing to the request (the model retrieves through the `headroom` command in its shell), so the body stays the client's own. */
const NOTHING_ADDED = { retrieveTool: 'never', retrievalElsewhere: 'shell' } as const;

/** The nginx log of a recorded workload: a real output that compresses well. */
const accessLog = (
  JSON.parse(fs.readFileSync('fixtures/workloads/p03-sre-nginx-upstream-502/request.json', 'utf8')) as { messages: Array<{ content: Array<{ content?: string }> }> }
).messages[2]!.content[1]!.content!;

/** An agent's request (with a tool of its own, so it may carry retrieval markers) holding one tool output. */
function requestWith(output: string, question = 'Which upstream failed?'): string {
  return JSON.stringify({
    model: 'claude-fake',
    max_tokens: 100,
    tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'cat access.log' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: output }] },
    ],
  });
}

describe('compression in worker threads', () => {
  it('gives the bytes the in-thread compression gives', async () => {
    const raw = requestWith(accessLog);
    const off = await compressRequestOffThread(anthropic, raw, pool, { session: new ConversationState('a'), store, budgetMs: 60_000 });
    const inThread = compressRequestBody(anthropic, raw, { session: new ConversationState('b'), store, budgetMs: 60_000 });
    expect(off.failedOpen).toBeUndefined();
    expect(off.compressed).toHaveLength(1);
    expect(off.body).toBe(inThread.body);
    for (const key of off.retrievalKeys) expect(store.get(key)).toBe(accessLog);
  });

  it('remembers an output abandoned at the budget as forwarded as it was: never compressed later in the session', async () => {
    // A question of 3000 distinct words makes relevance scoring take seconds: far past 0 ms.
    const raw = requestWith(accessLog, Array.from({ length: 3000 }, (_, i) => `term${i}x`).join(' '));
    const session = new ConversationState('late');
    const late = await compressRequestOffThread(anthropic, raw, pool, { session, store, budgetMs: 0, ...NOTHING_ADDED });
    expect(late.failedOpen).toMatch(/passed its 0 ms budget; 1 new output/);
    expect(late.body).toBe(raw);

    const again = await compressRequestOffThread(anthropic, raw, pool, { session, store, budgetMs: 60_000, ...NOTHING_ADDED });
    expect(again.failedOpen).toBeUndefined();
    expect(again.outputs[0]).toMatchObject({ replayed: true });
    expect(again.body).toBe(raw);

    // The threads carry on after the abandoned task, and a new session compresses the output.
    const other = await compressRequestOffThread(anthropic, raw, pool, { session: new ConversationState('fresh'), store, budgetMs: 60_000, ...NOTHING_ADDED });
    expect(other.compressed).toHaveLength(1);
  });

  it('gives two requests of a session that carry the same new output one decision', async () => {
    const raw = requestWith(accessLog, 'Which upstream failed last?');
    const session = new ConversationState('twice');
    const [a, b] = await Promise.all([
      compressRequestOffThread(anthropic, raw, pool, { session, store, budgetMs: 60_000 }),
      compressRequestOffThread(anthropic, raw, pool, { session, store, budgetMs: 60_000 }),
    ]);
    expect(a.compressed).toHaveLength(1);
    expect(b.body).toBe(a.body);
    expect(b.compressed[0]!.entry).toBe(a.compressed[0]!.entry);
    expect(session.pending.size).toBe(0);
  });

  it('writes originals into a store that is not a file store from the main thread', async () => {
    const saved = new Map<string, string>();
    const memory: CcrStore = {
      put: (text) => {
        saved.set(ccrKey(text), text);
        return ccrKey(text);
      },
      get: (key) => saved.get(key),
    };
    const raw = requestWith(accessLog, 'Where did the 502s come from?');
    const r = await compressRequestOffThread(anthropic, raw, pool, { session: new ConversationState('memory'), store: memory, budgetMs: 60_000 });
    const [key] = keysInText(r.compressed[0]!.entry.compressed!);
    expect(saved.get(key!)).toBe(accessLog);
  });

  it('fails open, with the reason, when the threads cannot run', async () => {
    const closed = new CompressPool();
    await closed.close();
    const raw = requestWith(accessLog);
    const session = new ConversationState('closed');
    const r = await compressRequestOffThread(anthropic, raw, closed, { session, store, budgetMs: 60_000, ...NOTHING_ADDED });
    expect(r.failedOpen).toBe('compression failed on 1 output(s), forwarded as they are: the compression threads are closed');
    expect(r.body).toBe(raw);
  });

  it('needs no thread for outputs too short to compress', async () => {
    // A closed pool fails any request that hands it work.
    const closed = new CompressPool();
    await closed.close();
    const raw = requestWith('total 0\n');
    const r = await compressRequestOffThread(anthropic, raw, closed, { session: new ConversationState('short'), store, budgetMs: 60_000, ...NOTHING_ADDED });
    expect(r.failedOpen).toBeUndefined();
    expect(r.body).toBe(raw);
  });
});

/** A conversation that reads `outputs` in turn, one Bash call each; `more` appends a later user turn. */
function conversation(outputs: string[], more = false): string {
  const messages: unknown[] = [{ role: 'user', content: 'Which upstream failed?' }];
  outputs.forEach((output, i) => {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'Bash', input: { command: `cat access-${i}.log` } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: output }] });
  });
  if (more) messages.push({ role: 'assistant', content: 'Looking again.' }, { role: 'user', content: 'Go on.' });
  const tools = [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }];
  return JSON.stringify({ model: 'claude-fake', max_tokens: 100, tools, messages });
}

describe('an output identical to an earlier one of the conversation', () => {
  const forms = [
    ['in worker threads', (raw: string, session: ConversationState) => compressRequestOffThread(anthropic, raw, pool, { session, store, budgetMs: 60_000, ...NOTHING_ADDED })],
    ['in the caller thread', async (raw: string, session: ConversationState) => compressRequestBody(anthropic, raw, { session, store, budgetMs: 60_000, ...NOTHING_ADDED })],
  ] as const;

  it.each(forms)('is folded to a note naming the earlier call, the same bytes in every later request (%s)', async (_form, run) => {
    const session = new ConversationState('repeats');
    const other = 'a different output\n'.repeat(60);
    const first = await run(conversation([accessLog, other, accessLog, accessLog]), session);
    const texts = first.outputs.map((o) => o.entry.compressed ?? o.original);
    expect(texts[0]).not.toBe(accessLog);
    expect(keysInText(texts[0]!).length).toBeGreaterThan(0);
    const lines = accessLog.split('\n').length;
    const note = `[headroom: this output is identical to an earlier tool output in this conversation (Bash cat access-0.log), ${lines} lines; folded here, the earlier copy holds it]`;
    expect(texts[2]).toBe(note);
    expect(texts[3]).toBe(note);
    expect(first.compressed.map((c) => c.id)).toEqual(['toolu_0', 'toolu_2', 'toolu_3']);
    // The next request of the session replays every output's bytes, folds included.
    const again = await run(conversation([accessLog, other, accessLog, accessLog], true), session);
    expect(again.outputs.map((o) => o.entry.compressed ?? o.original)).toEqual(texts);
    expect(again.outputs.every((o) => o.replayed)).toBe(true);
  });

  it.each(forms)('goes as the first copy went when it is short (%s)', async (_form, run) => {
    const short = 'ok\n'.repeat(100);
    const r = await run(conversation([short, short]), new ConversationState('short repeats'));
    expect(r.body).toBe(conversation([short, short]));
  });
});
