import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import { compressRequestBody, type RequestCompressOptions } from '../../src/proxy/compress-request.js';
import { anthropic, openaiResponses } from '../../src/providers/index.js';
import { RETRIEVE_TOOL_NAME } from '../../src/proxy/retrieval.js';
import { contentHash, ConversationState } from '../../src/proxy/conversation-state.js';

// A retrieval marker is only sent to a model that can act on it: a retrieve tool in the request,
// or the `headroom` command in the agent's shell. Real requests: Codex 0.169 with its default model
// (tools in an `additional_tools` input item, a 25 KB exec output) and a Claude Code workload.

type Json = Record<string, unknown>;

const codexRaw = JSON.stringify((JSON.parse(fs.readFileSync('fixtures/wire/codex-default-model/002-POST-_v1_responses.json', 'utf8')) as { body: Json }).body);
const claudeRaw = fs.readFileSync('fixtures/workloads/p02-sre-postgres-deadlock-crash/request.json', 'utf8');
/** The same Claude Code request without its tools (as a title or routing call would be). */
const claudeNoTools = JSON.stringify({ ...(JSON.parse(claudeRaw) as Json), tools: undefined });

let home: string;
let store: FileCcrStore;
beforeEach(() => {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-markers-'));
  store = new FileCcrStore(join(home, 'ccr'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

function forward(raw: string, opts: RequestCompressOptions, adapter = openaiResponses) {
  return compressRequestBody(adapter, raw, { store, budgetMs: Number.POSITIVE_INFINITY, ...opts });
}

describe("Codex's default model: tools in additional_tools", () => {
  it('gets headroom_retrieve in a headroom namespace of its additional_tools item, and markers', () => {
    const r = forward(codexRaw, { retrieveTool: 'always' });
    expect(r.retrievable).toBe(true);
    expect(r.retrieveToolAdded).toBe(true);
    const body = JSON.parse(r.body) as { input: Array<{ type: string; tools?: Json[] }>; tools?: unknown };
    expect(body.tools).toBeUndefined();
    expect(body.input[0]!.tools!.at(-1)).toMatchObject({ type: 'namespace', name: 'headroom', tools: [{ name: RETRIEVE_TOOL_NAME }] });
    expect(r.retrievalKeys.length).toBeGreaterThan(0);
    // The markers name these keys (the tool's description names an example key too).
    expect(keysInText(r.body)).toEqual(expect.arrayContaining(r.retrievalKeys));
    expect(r.body).toContain('ERROR payment-api: connection pool exhausted');
    // Every key resolves to the exec output it stands for.
    expect(store.get(r.retrievalKeys[0]!)).toContain('handled request 400');
  });

  it('with mode never and no headroom command in the shell: no tool, no marker, the output goes whole', () => {
    const r = forward(codexRaw, { retrieveTool: 'never' });
    expect(r.retrievable).toBe(false);
    expect(r.retrievalKeys).toEqual([]);
    expect(r.body).toBe(codexRaw);
  });

  it('with mode never and the headroom command in the shell: markers, no tool', () => {
    const r = forward(codexRaw, { retrieveTool: 'never', retrievalElsewhere: 'shell' });
    expect(r.retrievable).toBe(true);
    expect(r.retrieveToolAdded).toBe(false);
    expect(r.retrievalKeys.length).toBeGreaterThan(0);
    expect(r.body).not.toContain('"name":"headroom"');
  });
});

describe('requests with no way to retrieve', () => {
  it.each(['always', 'when-compressed'] as const)('a request without tools (mode %s) goes as it came, even when the shell has headroom', (mode) => {
    for (const elsewhere of ['none', 'shell'] as const) {
      const r = forward(claudeNoTools, { retrieveTool: mode, retrievalElsewhere: elsewhere }, anthropic);
      expect(r.retrievable).toBe(false);
      expect(r.body).toBe(claudeNoTools);
      expect(r.outputs.length).toBeGreaterThan(0);
      expect(r.compressed).toEqual([]);
    }
  });

  it("an output the session sent with markers goes whole into the session's request without tools; one sent without markers is replayed", () => {
    const session = new ConversationState('s');
    const main = forward(claudeRaw, { session, retrieveTool: 'always' }, anthropic);
    expect(main.retrievalKeys.length).toBeGreaterThan(0);
    const side = forward(claudeNoTools, { session }, anthropic);
    expect(side.body).toBe(claudeNoTools);
    // A later request with tools replays exactly what the first one sent.
    expect(forward(claudeRaw, { session, retrieveTool: 'always' }, anthropic).body).toBe(main.body);

    const lossless = new ConversationState('t');
    const entry = { compressed: 'kept without markers', kind: 'log' as const, retrievalKeys: [] };
    const sideFirst = forward(claudeNoTools, { session: lossless }, anthropic);
    for (const o of sideFirst.outputs) lossless.memo.set(contentHash(o.original), entry);
    expect(forward(claudeNoTools, { session: lossless }, anthropic).body).toContain('kept without markers');
  });

  it('a client that declares a retrieve tool of its own (the MCP server) can retrieve in any mode', () => {
    const body = JSON.parse(claudeRaw) as { tools: Json[] };
    body.tools.push({ name: `mcp__headroom__${RETRIEVE_TOOL_NAME}`, description: 'x', input_schema: { type: 'object' } });
    const r = forward(JSON.stringify(body), { retrieveTool: 'never' }, anthropic);
    expect(r.retrievable).toBe(true);
    expect(r.retrievalKeys.length).toBeGreaterThan(0);
  });

  it('a token count gets no tools, and markers exactly where the request for the model has them', () => {
    const generate = forward(codexRaw, { retrieveTool: 'always' });
    const count = forward(codexRaw, { retrieveTool: 'always', addTools: false });
    expect(count.retrieveToolAdded).toBe(false);
    expect(count.retrievalKeys).toEqual(generate.retrievalKeys);
    expect(count.body).not.toContain('"name":"headroom"');
    expect(forward(codexRaw, { retrieveTool: 'never', addTools: false }).body).toBe(codexRaw);
  });
});
