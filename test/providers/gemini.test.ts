import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { objectMembers, rootSpan, splice, type SseEvent, SseParser, toolOutputs as neutralToolOutputs } from '../../src/wire/index.js';
import { gemini, type Round } from '../../src/providers/index.js';
import { RETRIEVE_TOOL, RETRIEVE_TOOL_NAME, RETRIEVE_TOOL_SCHEMA } from '../../src/proxy/retrieval.js';
import { toolOutputs as workloadOutputs } from '../compress/fixtures.js';

type Json = Record<string, any>;

// Requests Gemini CLI 0.61 sent (recorded against a loopback fake API).
const REPO_WIRE = fileURLToPath(new URL('../../fixtures/wire/gemini', import.meta.url));
const WIRE_DIR = existsSync(REPO_WIRE) ? REPO_WIRE : '/work/shared/wire/gemini';

function capture(kind: 'generateContent' | 'streamGenerateContent'): { url: string; body: Json } {
  const file = readdirSync(WIRE_DIR).find((f) => f.endsWith(`_${kind}.json`));
  if (!file) throw new Error(`no ${kind} capture in ${WIRE_DIR}`);
  return JSON.parse(readFileSync(join(WIRE_DIR, file), 'utf8')) as { url: string; body: Json };
}

/** The body as the SDK sends it: compact JSON. */
const routingRaw = JSON.stringify(capture('generateContent').body);
const agentBody = capture('streamGenerateContent').body;
const agentRaw = JSON.stringify(agentBody);

// Real tool outputs: express's mocha run (a failing test) and a grep over fastify.
const testRun = workloadOutputs('p06')[0]!;
const grepHits = workloadOutputs('p01')[0]!;
const SIGNATURE = 'CiQBcsjafF1mRsr0BQp8mLkOBJ6YHkz1m6w3m8qCYGMR0qZKzQgSdgFyyNp8u7U0w8g0oS9Q1x8K6aGmZbJx';

/** Gemini CLI's next request after the model called two tools: one ran, one failed. */
function agentRequestWithToolTurn(): { raw: string; body: Json } {
  const body: Json = {
    ...agentBody,
    contents: [
      ...agentBody.contents,
      {
        role: 'model',
        parts: [
          { text: 'Let me run the test suite and look for onSend.', thought: true },
          { functionCall: { id: 'run_shell_command-1763712000000-1a2b3c', name: 'run_shell_command', args: { command: 'npm test' } }, thoughtSignature: SIGNATURE },
          { functionCall: { id: 'grep_search-1763712000000-4d5e6f', name: 'grep_search', args: { pattern: 'onSend' } } },
          { functionCall: { name: 'read_file', args: { file_path: 'missing.js' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'run_shell_command-1763712000000-1a2b3c', name: 'run_shell_command', response: { output: testRun } } },
          { functionResponse: { id: 'grep_search-1763712000000-4d5e6f', name: 'grep_search', response: { status: 'ok', content: grepHits } } },
          { functionResponse: { name: 'read_file', response: { error: 'File not found: /home/dev/gm-work/missing.js' } } },
        ],
      },
    ],
  };
  return { raw: JSON.stringify(body), body };
}

describe('gemini read', () => {
  it('reads the routing call: system instruction and user texts, no tools, model and stream from the path', () => {
    const req = gemini.read(routingRaw);
    expect(req.model).toBe('');
    expect(req.stream).toBe(false);
    expect(req.tools).toEqual([]);
    expect(req.system).toHaveLength(1);
    expect(req.system[0]!.text).toContain('You are a specialized Task Routing AI');
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'user']);
    expect(req.messages[1]!.parts).toEqual([{ type: 'text', text: 'hi', span: expect.any(Object) }]);
  });

  it('reads the agent call: every declared function name', () => {
    const req = gemini.read(agentRaw);
    expect(req.tools).toEqual(['update_topic', 'list_directory', 'read_file', 'grep_search', 'glob', 'google_web_search', 'enter_plan_mode', 'invoke_agent']);
    expect(req.system[0]!.text).toMatch(/^You are Gemini CLI/);
    expect(req.messages).toHaveLength(1);
    expect(req.messages[0]!.parts.map((p) => (p.type === 'text' ? p.text.slice(0, 17) : p.type))).toEqual(['<session_context>', 'hi']);
    expect(neutralToolOutputs(req)).toEqual([]);
  });

  it('reads function calls and the string members of function responses, with spans on the raw bytes', () => {
    const { raw } = agentRequestWithToolTurn();
    const req = gemini.read(raw);
    const model = req.messages[1]!;
    expect(model.role).toBe('assistant');
    // The thought summary is not conversation text.
    expect(model.parts).toEqual([
      { type: 'tool_call', id: 'run_shell_command-1763712000000-1a2b3c', name: 'run_shell_command', input: { command: 'npm test' } },
      { type: 'tool_call', id: 'grep_search-1763712000000-4d5e6f', name: 'grep_search', input: { pattern: 'onSend' } },
      { type: 'tool_call', id: 'read_file', name: 'read_file', input: { file_path: 'missing.js' } },
    ]);
    expect(req.messages[2]!.role).toBe('user');
    const outputs = neutralToolOutputs(req);
    // `status: "ok"` is a label, not an output; the long `content` of the grep is one.
    expect(outputs.map((o) => [o.id, o.isError, o.text.length])).toEqual([
      ['run_shell_command-1763712000000-1a2b3c', false, testRun.length],
      ['grep_search-1763712000000-4d5e6f', false, grepHits.length],
      ['read_file', true, 'File not found: /home/dev/gm-work/missing.js'.length],
    ]);
    for (const o of outputs) {
      expect(raw[o.span.start]).toBe('"');
      expect(JSON.parse(raw.slice(o.span.start, o.span.end))).toBe(o.text);
    }
  });

  it('lets a compressed output be spliced in without touching any other byte', () => {
    const { raw } = agentRequestWithToolTurn();
    const out = neutralToolOutputs(gemini.read(raw))[0]!;
    const edited = splice(raw, [{ ...out.span, text: JSON.stringify('[... compressed ...]') }]);
    const body = JSON.parse(edited) as Json;
    expect(body.contents[2].parts[0].functionResponse.response.output).toBe('[... compressed ...]');
    expect(edited.slice(0, out.span.start)).toBe(raw.slice(0, out.span.start));
    expect(edited.slice(edited.length - (raw.length - out.span.end))).toBe(raw.slice(out.span.end));
  });

  it('throws SyntaxError on a body that is not a JSON object', () => {
    expect(() => gemini.read('{"contents": [')).toThrow(SyntaxError);
    expect(() => gemini.read('[1, 2]')).toThrow(SyntaxError);
  });
});

describe('gemini addTools', () => {
  it('appends one functionDeclarations tool to the agent tools and changes nothing else', () => {
    const edit = gemini.addTools(agentRaw, [RETRIEVE_TOOL]);
    expect(edit.start).toBe(edit.end);
    const out = splice(agentRaw, [edit]);
    expect(out.slice(0, edit.start)).toBe(agentRaw.slice(0, edit.start));
    expect(out.slice(edit.start + edit.text.length)).toBe(agentRaw.slice(edit.start));
    const body = JSON.parse(out) as Json;
    expect(body.tools).toHaveLength(agentBody.tools.length + 1);
    expect(body.tools.slice(0, -1)).toEqual(agentBody.tools);
    expect(body.tools.at(-1)).toEqual({
      functionDeclarations: [{ name: RETRIEVE_TOOL_NAME, description: expect.any(String), parametersJsonSchema: RETRIEVE_TOOL_SCHEMA }],
    });
    expect({ ...body, tools: agentBody.tools }).toEqual(agentBody);
    expect(gemini.read(out).tools.at(-1)).toBe(RETRIEVE_TOOL_NAME);
  });

  it('adds a tools member at the end of a request that has none', () => {
    const out = splice(routingRaw, [gemini.addTools(routingRaw, [RETRIEVE_TOOL])]);
    const body = JSON.parse(out) as Json;
    expect(Object.keys(body).at(-1)).toBe('tools');
    expect(body.tools[0].functionDeclarations[0].name).toBe(RETRIEVE_TOOL_NAME);
    expect(out.startsWith(routingRaw.slice(0, -1))).toBe(true);
  });

  it('inserts the same bytes every time (the tool stays byte-stable for a session)', () => {
    const a = gemini.addTools(agentRaw, [RETRIEVE_TOOL]).text;
    const b = gemini.addTools(agentRequestWithToolTurn().raw, [RETRIEVE_TOOL]).text;
    const empty = gemini.addTools('{"contents":[],"tools":[ ]}', [RETRIEVE_TOOL]).text;
    expect(a).toBe(b);
    expect(a).toBe(`,${empty}`);
  });
});

/** A non-streamed answer of a thinking model that asks only for a retrieval (Gemini sends no call id). */
const retrieveOnlyBody: Json = {
  candidates: [
    {
      content: {
        role: 'model',
        parts: [
          { text: '**Finding the failing test**\n\nThe middle of the mocha output was compressed; the failure is in it.', thought: true },
          { functionCall: { name: RETRIEVE_TOOL_NAME, args: { key: '0123456789abcdef', query: 'failing' } }, thoughtSignature: SIGNATURE },
        ],
      },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata: {
    promptTokenCount: 12840,
    candidatesTokenCount: 28,
    totalTokenCount: 12990,
    cachedContentTokenCount: 11264,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: 12840 }],
    cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 11264 }],
    thoughtsTokenCount: 122,
  },
  modelVersion: 'gemini-3-flash-preview',
  responseId: 'q2IgafWZK9-Lz7IP7tSk8Qw',
};

const answerBody: Json = {
  candidates: [
    {
      content: { role: 'model', parts: [{ text: 'The failing test is `res.cookie(name, string, options)` in test/res.cookie.js.', thoughtSignature: SIGNATURE }] },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata: {
    promptTokenCount: 13410,
    candidatesTokenCount: 24,
    totalTokenCount: 13501,
    cachedContentTokenCount: 12800,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: 13410 }],
    cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 12800 }],
    thoughtsTokenCount: 67,
  },
  modelVersion: 'gemini-3-flash-preview',
  responseId: 'tWIgaYq3Ft-Lz7IP2cKp8Qw',
};

describe('gemini readResponse / usageOf', () => {
  it('finds the retrieve call, gives it an id, and reads usage with cached tokens apart', () => {
    const round = gemini.readResponse(retrieveOnlyBody);
    expect(round.proxyCalls).toEqual([{ id: `${RETRIEVE_TOOL_NAME}-0`, name: RETRIEVE_TOOL_NAME, input: { key: '0123456789abcdef', query: 'failing' } }]);
    expect(round.clientToolCalls).toBe(0);
    expect(round.assistant).toEqual({ role: 'model', parts: retrieveOnlyBody.candidates[0].content.parts });
    expect(round.usage).toEqual({ input: 12840 - 11264, output: 28 + 122, cacheRead: 11264, cacheWrite: 0 });
    expect(gemini.usageOf(retrieveOnlyBody)).toEqual(round.usage);
  });

  it('keeps a call id Gemini did send and counts the client calls', () => {
    const body = {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { functionCall: { id: 'k1', name: RETRIEVE_TOOL_NAME, args: { key: 'fedcba9876543210' } } },
              { functionCall: { name: 'read_file', args: { file_path: 'a.js' } } },
              { functionCall: { name: RETRIEVE_TOOL_NAME, args: { key: '0123456789abcdef' } } },
            ],
          },
          finishReason: 'STOP',
        },
      ],
    };
    const round = gemini.readResponse(body);
    expect(round.proxyCalls.map((c) => c.id)).toEqual(['k1', `${RETRIEVE_TOOL_NAME}-1`]);
    expect(round.clientToolCalls).toBe(1);
  });

  it('has no usage for a countTokens answer', () => {
    expect(gemini.usageOf({ totalTokens: 31 })).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
  });
});

describe('gemini continueRequest', () => {
  const contentsEnd = (raw: string): number => objectMembers(raw, rootSpan(raw)).get('contents')!.end - 1;

  it('replays the model turn exactly and answers each call with a functionResponse', () => {
    const { raw, body } = agentRequestWithToolTurn();
    const round = gemini.readResponse(retrieveOnlyBody);
    const next = gemini.continueRequest(raw, round, [{ call: round.proxyCalls[0]!, text: 'not ok 1 res.cookie(name, string, options)' }]);
    expect(next.startsWith(raw.slice(0, contentsEnd(raw)))).toBe(true);
    expect(next.endsWith(raw.slice(contentsEnd(raw)))).toBe(true);
    const parsed = JSON.parse(next) as Json;
    expect(parsed.contents.slice(0, -2)).toEqual(body.contents);
    expect(parsed.contents.at(-2)).toEqual({ role: 'model', parts: retrieveOnlyBody.candidates[0].content.parts });
    // The call had no id of its own, so the answer names none.
    expect(parsed.contents.at(-1)).toEqual({
      role: 'user',
      parts: [{ functionResponse: { name: RETRIEVE_TOOL_NAME, response: { output: 'not ok 1 res.cookie(name, string, options)' } } }],
    });
  });

  it('names the call id when the model sent one, and extends a continued request again', () => {
    const round: Round = gemini.readResponse({
      candidates: [{ content: { role: 'model', parts: [{ functionCall: { id: 'call-7', name: RETRIEVE_TOOL_NAME, args: { key: 'fedcba9876543210' } } }] } }],
    });
    const first = gemini.continueRequest(agentRaw, gemini.readResponse(retrieveOnlyBody), [
      { call: gemini.readResponse(retrieveOnlyBody).proxyCalls[0]!, text: 'first' },
    ]);
    const second = gemini.continueRequest(first, round, [{ call: round.proxyCalls[0]!, text: 'second' }]);
    expect(second.startsWith(first.slice(0, contentsEnd(first)))).toBe(true);
    const parsed = JSON.parse(second) as Json;
    expect(parsed.contents).toHaveLength(agentBody.contents.length + 4);
    expect(parsed.contents.at(-1).parts[0].functionResponse).toEqual({ id: 'call-7', name: RETRIEVE_TOOL_NAME, response: { output: 'second' } });
  });

  it('answers each proxy call under its own name, and leaves the calls of tools not in the set to the client', () => {
    const body = {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { functionCall: { name: 'memory_save', args: { text: 'port 5433' } } },
              { functionCall: { name: 'memory_search', args: { query: 'port' } } },
            ],
          },
        },
      ],
    };
    const proxyNames = new Set([RETRIEVE_TOOL_NAME, 'memory_save']);
    const round = gemini.readResponse(body, proxyNames);
    expect(round.proxyCalls).toEqual([{ id: 'memory_save-0', name: 'memory_save', input: { text: 'port 5433' } }]);
    expect(round.clientToolCalls).toBe(1);
    expect(gemini.readResponse(body).proxyCalls).toEqual([]);
    const next = JSON.parse(gemini.continueRequest(agentRaw, round, [{ call: round.proxyCalls[0]!, text: 'saved' }])) as Json;
    expect(next.contents.at(-1).parts).toEqual([{ functionResponse: { name: 'memory_save', response: { output: 'saved' } } }]);
  });
});

describe('gemini mergeResponses', () => {
  it('joins the visible parts of all rounds, sums usage, keeps the first response id', () => {
    const merged = gemini.mergeResponses([retrieveOnlyBody, answerBody], false) as Json;
    const parts = merged.candidates[0].content.parts;
    expect(parts).toEqual([retrieveOnlyBody.candidates[0].content.parts[0], answerBody.candidates[0].content.parts[0]]);
    expect(JSON.stringify(merged)).not.toContain(RETRIEVE_TOOL_NAME);
    expect(merged.candidates[0].finishReason).toBe('STOP');
    expect(merged.responseId).toBe(retrieveOnlyBody.responseId);
    expect(merged.modelVersion).toBe('gemini-3-flash-preview');
    expect(merged.usageMetadata).toEqual({
      promptTokenCount: 12840 + 13410,
      candidatesTokenCount: 28 + 24,
      totalTokenCount: 12990 + 13501,
      cachedContentTokenCount: 11264 + 12800,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 12840 + 13410 }],
      cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 11264 + 12800 }],
      thoughtsTokenCount: 122 + 67,
    });
    expect(gemini.usageOf(merged)).toEqual({
      input: 12840 + 13410 - 11264 - 12800,
      output: 28 + 24 + 122 + 67,
      cacheRead: 11264 + 12800,
      cacheWrite: 0,
    });
  });

  it('ends normally when the loop was cut while the model still asked for retrievals', () => {
    const truncated = { ...retrieveOnlyBody, candidates: [{ ...retrieveOnlyBody.candidates[0], finishReason: 'MAX_TOKENS' }] };
    const merged = gemini.mergeResponses([retrieveOnlyBody, truncated], true) as Json;
    expect(merged.candidates[0].finishReason).toBe('STOP');
    expect(JSON.stringify(merged)).not.toContain(RETRIEVE_TOOL_NAME);
  });

  it('hides a retrieve call mixed with a client call and moves its thought signature to that call', () => {
    const mixed = {
      ...retrieveOnlyBody,
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { functionCall: { name: RETRIEVE_TOOL_NAME, args: { key: '0123456789abcdef' } }, thoughtSignature: SIGNATURE },
              { functionCall: { name: 'read_file', args: { file_path: 'test/res.cookie.js' } } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
    };
    const merged = gemini.mergeResponses([mixed], false) as Json;
    expect(merged.candidates[0].content.parts).toEqual([
      { functionCall: { name: 'read_file', args: { file_path: 'test/res.cookie.js' } }, thoughtSignature: SIGNATURE },
    ]);
  });
});

// --- Streams ------------------------------------------------------------------------------------

/** Gemini's SSE: one whole response per event, CRLF line ends. */
function sse(chunks: Json[]): string {
  return chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join('');
}

/** Parses a byte stream cut into uneven pieces (splitting CRLFs and UTF-8 sequences). */
function parseEvents(text: string): SseEvent[] {
  const bytes = Buffer.from(text, 'utf8');
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (let i = 0, step = 1; i < bytes.length; i += step, step = (step * 7) % 61 + 1) events.push(...parser.push(bytes.subarray(i, i + step)));
  expect(parser.end()).toBe('');
  return events;
}

interface Relayed {
  text: string;
  rounds: Round[];
}

/** Drives a relay the way the proxy does: rounds in order, then finish. */
function relay(streams: string[], retrievalCut = false): Relayed {
  const r = gemini.streamRelay();
  let text = '';
  const rounds: Round[] = [];
  streams.forEach((stream, n) => {
    r.beginRound(n);
    for (const ev of parseEvents(stream)) text += r.push(ev);
    rounds.push(r.endRound());
  });
  return { text: text + r.finish(retrievalCut), rounds };
}

const usage = (prompt: number, out: number, cached: number, thoughts: number): Json => ({
  promptTokenCount: prompt,
  candidatesTokenCount: out,
  totalTokenCount: prompt + out + thoughts,
  cachedContentTokenCount: cached,
  promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  thoughtsTokenCount: thoughts,
});

function chunk(parts: Json[], id: string, u: Json, finishReason?: string): Json {
  return {
    candidates: [{ content: { parts, role: 'model' }, ...(finishReason ? { finishReason } : {}), index: 0 }],
    usageMetadata: u,
    modelVersion: 'gemini-3-flash-preview',
    responseId: id,
  };
}

const retrieveRound = sse([
  chunk([{ text: '**Looking into the failure**\n\nThe compressed output hides the failing assertion — I will fetch it.', thought: true }], 'r0', usage(12840, 0, 11264, 96)),
  chunk([{ functionCall: { name: RETRIEVE_TOOL_NAME, args: { key: '0123456789abcdef', query: 'AssertionError' } }, thoughtSignature: SIGNATURE }], 'r0', usage(12840, 28, 11264, 122), 'STOP'),
]);

const answerRound = sse([
  chunk([{ text: 'The failing test is in `test/res.cookie.js`: ' }], 'r1', usage(13410, 9, 12800, 67)),
  chunk([{ text: 'the `maxAge` option is ignored — «expected 1000»', thoughtSignature: SIGNATURE }], 'r1', usage(13410, 24, 12800, 67), 'STOP'),
]);

describe('gemini streamRelay', () => {
  it('passes a round without retrievals through byte for byte', () => {
    const stream = sse([
      chunk([{ text: 'I will run the tests — ünïcödé and emoji 🧪 included.' }], 'x', usage(9000, 12, 0, 40)),
      chunk([{ functionCall: { name: 'run_shell_command', args: { command: 'npm test' } }, thoughtSignature: SIGNATURE }], 'x', usage(9000, 30, 0, 40), 'STOP'),
    ]);
    const { text, rounds } = relay([stream]);
    expect(text).toBe(stream);
    expect(rounds[0]!.clientToolCalls).toBe(1);
    expect(rounds[0]!.proxyCalls).toEqual([]);
    expect(rounds[0]!.usage).toEqual({ input: 9000, output: 70, cacheRead: 0, cacheWrite: 0 });
  });

  it('joins a retrieve-only round and its continuation into one stream the client can read', () => {
    const { text, rounds } = relay([retrieveRound, answerRound]);
    expect(text).not.toContain(RETRIEVE_TOOL_NAME);
    // The first event went through untouched; every event keeps Gemini's CRLF ends.
    expect(text.startsWith(retrieveRound.slice(0, retrieveRound.indexOf('\r\n\r\n') + 4))).toBe(true);
    const events = parseEvents(text);
    expect(events.every((e) => e.raw.endsWith('\r\n\r\n'))).toBe(true);
    const chunks = events.map((e) => JSON.parse(e.data) as Json);
    expect(chunks.map((c) => c.responseId)).toEqual(['r0', 'r0', 'r0']);
    expect(chunks.map((c) => c.candidates[0].finishReason)).toEqual([undefined, undefined, 'STOP']);
    const textSeen = chunks.flatMap((c) => c.candidates[0].content.parts.map((p: Json) => p.text)).join('');
    expect(textSeen).toContain('The failing test is in `test/res.cookie.js`: the `maxAge` option is ignored — «expected 1000»');
    expect(chunks.at(-1)!.usageMetadata).toEqual({
      promptTokenCount: 12840 + 13410,
      candidatesTokenCount: 28 + 24,
      totalTokenCount: 12840 + 28 + 122 + 13410 + 24 + 67,
      cachedContentTokenCount: 11264 + 12800,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 12840 + 13410 }],
      thoughtsTokenCount: 122 + 67,
    });

    expect(rounds[0]!.proxyCalls).toEqual([{ id: `${RETRIEVE_TOOL_NAME}-0`, name: RETRIEVE_TOOL_NAME, input: { key: '0123456789abcdef', query: 'AssertionError' } }]);
    expect(rounds[0]!.clientToolCalls).toBe(0);
    expect(rounds[0]!.usage).toEqual({ input: 12840 - 11264, output: 28 + 122, cacheRead: 11264, cacheWrite: 0 });
    expect(rounds[1]!.proxyCalls).toEqual([]);
  });

  it('builds the model turn a continuation replays, thought signature included', () => {
    const { rounds } = relay([retrieveRound]);
    const turn = rounds[0]!.assistant as Json;
    expect(turn.role).toBe('model');
    expect(turn.parts).toHaveLength(2);
    expect(turn.parts[1]).toEqual({ functionCall: { name: RETRIEVE_TOOL_NAME, args: { key: '0123456789abcdef', query: 'AssertionError' } }, thoughtSignature: SIGNATURE });
    const next = JSON.parse(gemini.continueRequest(agentRaw, rounds[0]!, [{ call: rounds[0]!.proxyCalls[0]!, text: 'AssertionError: expected 1000' }])) as Json;
    expect(next.contents.at(-2)).toEqual(turn);
    expect(next.contents.at(-1).parts[0].functionResponse).toEqual({ name: RETRIEVE_TOOL_NAME, response: { output: 'AssertionError: expected 1000' } });
  });

  it('hides a retrieve call mixed with a client call; the client call keeps the thought signature', () => {
    const stream = sse([
      chunk([{ text: 'Checking both.' }], 'm', usage(9000, 4, 0, 50)),
      chunk(
        [
          { functionCall: { name: RETRIEVE_TOOL_NAME, args: { key: '0123456789abcdef' } }, thoughtSignature: SIGNATURE },
          { functionCall: { name: 'read_file', args: { file_path: 'test/res.cookie.js' } } },
        ],
        'm',
        usage(9000, 40, 0, 50),
        'STOP',
      ),
    ]);
    const { text, rounds } = relay([stream]);
    expect(rounds[0]!.proxyCalls).toHaveLength(1);
    expect(rounds[0]!.clientToolCalls).toBe(1);
    expect(text).not.toContain(RETRIEVE_TOOL_NAME);
    const chunks = parseEvents(text).map((e) => JSON.parse(e.data) as Json);
    const parts = chunks.flatMap((c) => c.candidates[0].content.parts as Json[]);
    expect(parts).toEqual([
      { text: 'Checking both.' },
      { functionCall: { name: 'read_file', args: { file_path: 'test/res.cookie.js' } }, thoughtSignature: SIGNATURE },
    ]);
    // Exactly one closing chunk, last, with the round's usage.
    expect(chunks.map((c) => c.candidates[0].finishReason)).toEqual([undefined, undefined, 'STOP']);
    expect(chunks.at(-1)!.usageMetadata.candidatesTokenCount).toBe(40);
  });

  it('drops a chunk that held only the retrieve call and ends with STOP when the loop was cut', () => {
    const stream = sse([
      chunk([{ text: 'Fetching the original.' }], 'c', usage(5000, 5, 0, 0)),
      chunk([{ functionCall: { name: RETRIEVE_TOOL_NAME, args: { key: '0123456789abcdef' } } }], 'c', usage(5000, 20, 0, 0)),
      chunk([{ text: '' }], 'c', usage(5000, 20, 0, 0), 'MAX_TOKENS'),
    ]);
    const { text } = relay([stream], true);
    const chunks = parseEvents(text).map((e) => JSON.parse(e.data) as Json);
    expect(chunks).toHaveLength(3);
    expect(chunks[0]!.candidates[0].content.parts).toEqual([{ text: 'Fetching the original.' }]);
    expect(chunks[1]!.candidates[0]).toEqual({ content: { parts: [{ text: '' }], role: 'model' }, index: 0 });
    expect(chunks[1]!.usageMetadata).toBeUndefined();
    expect(chunks[2]!.candidates[0].finishReason).toBe('STOP');
    expect(chunks[2]!.candidates[0].content.parts).toEqual([]);
    expect(chunks[2]!.usageMetadata.candidatesTokenCount).toBe(20);
  });

  it('relays keep-alive comments and upstream error events unchanged', () => {
    const r = gemini.streamRelay();
    r.beginRound(0);
    const events = parseEvents(': keep-alive\r\n\r\ndata: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}\r\n\r\n');
    expect(events.map((e) => r.push(e))).toEqual(events.map((e) => e.raw));
  });

  it('writes its own errors as a Gemini error event and error body', () => {
    const r = gemini.streamRelay();
    r.beginRound(0);
    for (const ev of parseEvents(answerRound)) r.push(ev);
    const ev = parseEvents(r.error('headroom: the upstream stream failed: socket hang up'));
    expect(ev).toHaveLength(1);
    expect(ev[0]!.raw.endsWith('\r\n\r\n')).toBe(true);
    expect(JSON.parse(ev[0]!.data)).toEqual({ error: { code: 500, message: 'headroom: the upstream stream failed: socket hang up', status: 'INTERNAL' } });
    expect(gemini.errorBody(400, 'request body is not JSON')).toEqual({ error: { code: 400, message: 'request body is not JSON', status: 'INVALID_ARGUMENT' } });
    expect(gemini.errorBody(502, 'upstream unreachable')).toEqual({ error: { code: 502, message: 'upstream unreachable', status: 'UNAVAILABLE' } });
  });
});
