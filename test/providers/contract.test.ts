import { describe, expect, it } from 'vitest';
import { RETRIEVE_TOOL_NAME, type ProviderAdapter, type ProxyToolSpec, type Round } from '../../src/providers/index.js';
import { NO_USAGE, splice, SseParser, stepsOfOutputs, toolOutputs, type Replacement } from '../../src/wire/index.js';
import { ANSWER_PIECES, CONTRACT_CASES, KEY, type ContractCase } from './contract-cases.js';

/**
 * The contract every provider adapter keeps, run against each of them: reading tool outputs,
 * byte-exact splicing, tool injection, the continuation request, the stream relay under any
 * chunking of its input, usage, and bodies it cannot make sense of.
 */

const TOOLS: ProxyToolSpec[] = [
  { name: RETRIEVE_TOOL_NAME, description: 'Get back compressed content.', schema: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] } },
  { name: 'memory_save', description: 'Save a memory.', schema: { type: 'object', properties: { text: { type: 'string' } } } },
];

/** The request as an agent sends it (compact) and re-indented, so spans are checked around whitespace too. */
const raws = (c: ContractCase): Array<[string, string]> => [
  ['compact', JSON.stringify(c.request)],
  ['indented', JSON.stringify(c.request, null, 2)],
];

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Runs rounds of upstream bytes, each cut into the given chunks, through one relay as the proxy does. */
function relayRounds(adapter: ProviderAdapter, rounds: Uint8Array[][]): { out: string; rounds: Round[] } {
  const relay = adapter.streamRelay();
  let out = '';
  const done: Round[] = [];
  rounds.forEach((chunks, n) => {
    relay.beginRound(n);
    const parser = new SseParser();
    for (const chunk of chunks) for (const ev of parser.push(chunk)) out += relay.push(ev);
    expect(parser.end()).toBe('');
    expect(relay.ending()).toBe('done');
    done.push(relay.endRound());
  });
  return { out: out + relay.finish(false), rounds: done };
}

/** Every way to cut `data` into two chunks (and into single bytes). */
function cuts(data: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [[data], [...data].map((b) => Uint8Array.of(b))];
  for (let i = 1; i < data.length; i++) out.push([data.subarray(0, i), data.subarray(i)]);
  return out;
}

describe.each(CONTRACT_CASES.map((c) => [c.adapter.name, c] as const))('provider contract: %s', (_name, c) => {
  const { adapter } = c;

  describe.each(raws(c))('reading the %s request', (_form, raw) => {
    const request = adapter.read(raw);
    const outputs = toolOutputs(request);

    it('finds every tool output, each span holding its text as a JSON string', () => {
      expect(outputs.map((o) => o.text)).toEqual(c.outputTexts(c.request));
      expect(outputs.length).toBeGreaterThan(0);
      for (const o of outputs) expect(JSON.parse(raw.slice(o.span.start, o.span.end))).toBe(o.text);
    });

    it('splices new outputs in and leaves every other byte as it was', () => {
      const edits: Replacement[] = outputs.map((o, i) => ({ ...o.span, text: JSON.stringify(`[compressed ${i} ✓]`) }));
      const spliced = splice(raw, edits);
      expect(toolOutputs(adapter.read(spliced)).map((o) => o.text)).toEqual(outputs.map((_, i) => `[compressed ${i} ✓]`));
      // The bytes between the spans, in order, are the original's.
      const between = (text: string, spans: Array<{ start: number; end: number }>): string[] =>
        [0, ...spans.flatMap((s) => [s.start, s.end]), text.length].reduce<string[]>((acc, at, i, all) => (i % 2 === 0 && i + 1 < all.length ? [...acc, text.slice(at, all[i + 1])] : acc), []);
      const newSpans = toolOutputs(adapter.read(spliced)).map((o) => o.span);
      expect(between(spliced, newSpans)).toEqual(between(raw, outputs.map((o) => o.span)));
    });

    it('gives back the same bytes for a splice that changes nothing', () => {
      expect(splice(raw, outputs.map((o) => ({ ...o.span, text: raw.slice(o.span.start, o.span.end) })))).toBe(raw);
      expect(splice(raw, [])).toBe(raw);
    });

    it('appends tools with one edit, after the tools the client declared', () => {
      const edit = adapter.addTools(raw, TOOLS);
      const withTools = splice(raw, [edit]);
      expect(() => JSON.parse(withTools)).not.toThrow();
      const before = adapter.read(raw).tools;
      const after = adapter.read(withTools).tools;
      expect(after).toEqual([...before, ...TOOLS.map((t) => t.name)]);
      expect(withTools.slice(0, edit.start)).toBe(raw.slice(0, edit.start));
      expect(withTools.slice(withTools.length - (raw.length - edit.end))).toBe(raw.slice(edit.end));
    });

    it('builds the continuation: the conversation kept byte for byte, then the call and its answer', () => {
      const round = adapter.readResponse(c.proxyCallResponse);
      expect(round.proxyCalls).toHaveLength(1);
      const next = adapter.continueRequest(raw, round, [{ call: round.proxyCalls[0]!, text: 'the original ✓' }]);
      const lastOutput = outputs.at(-1)!;
      expect(next.slice(0, lastOutput.span.end)).toBe(raw.slice(0, lastOutput.span.end));
      const continued = adapter.read(next);
      const answer = toolOutputs(continued).at(-1)!;
      expect(answer.text).toBe('the original ✓');
      expect(stepsOfOutputs(continued).at(-1)).toMatchObject({ tool: RETRIEVE_TOOL_NAME, input: { key: KEY } });
      expect(toolOutputs(continued).slice(0, -1).map((o) => o.text)).toEqual(outputs.map((o) => o.text));
    });
  });

  it('reads a response that makes a proxy call: the call, no client calls, its usage', () => {
    const round = adapter.readResponse(c.proxyCallResponse);
    expect(round.proxyCalls.map((p) => [p.name, p.input])).toEqual([[RETRIEVE_TOOL_NAME, { key: KEY }]]);
    expect(round.clientToolCalls).toBe(0);
    expect(round.usage).toEqual(c.usage);
    expect(adapter.usageOf(c.proxyCallResponse)).toEqual(c.usage);
  });

  it('hides the proxy call when merging the rounds of a loop', () => {
    const merged = JSON.stringify(adapter.mergeResponses([c.proxyCallResponse, c.proxyCallResponse], true));
    expect(merged).not.toContain(RETRIEVE_TOOL_NAME);
    expect(merged).toContain('Let me look.');
  });

  describe.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('stream relay (%s)', (_eol, eol) => {
    const answer = bytes(c.answerStream(eol));
    const proxyCall = bytes(c.proxyCallStream(eol));

    it('relays a plain answer byte for byte however its bytes are cut, with its usage', () => {
      const text = new TextDecoder().decode(answer);
      for (const chunks of cuts(answer)) {
        const { out, rounds } = relayRounds(adapter, [chunks]);
        expect(out).toBe(text);
        expect(rounds[0]!.usage).toEqual(c.usage);
        expect(rounds[0]!.proxyCalls).toEqual([]);
      }
    });

    it('hides a proxy call and joins two rounds into one stream the same way for every cut', () => {
      const whole = relayRounds(adapter, [[proxyCall], [answer]]);
      expect(whole.rounds[0]!.proxyCalls.map((p) => [p.name, p.input])).toEqual([[RETRIEVE_TOOL_NAME, { key: KEY }]]);
      expect(whole.out).not.toContain(RETRIEVE_TOOL_NAME);
      expect(whole.out).toContain('Let me look.');
      for (const piece of ANSWER_PIECES) expect(whole.out).toContain(piece);
      // Round 0 cut at each of its points, round 1 at each of its own in turn.
      const answerCuts = cuts(answer);
      cuts(proxyCall).forEach((first, i) => {
        expect(relayRounds(adapter, [first, answerCuts[i % answerCuts.length]!]).out).toBe(whole.out);
      });
    });
  });

  describe('bodies it cannot make sense of', () => {
    it.each(['{"model":', '', '{"a":1}}', 'not json'])('throws SyntaxError reading %j', (raw) => {
      expect(() => adapter.read(raw)).toThrow(SyntaxError);
    });

    it('reads an empty object as a request with no conversation', () => {
      expect(adapter.read('{}').messages).toEqual([]);
    });

    it.each([null, [], 'text', 5, {}, { choices: 5, content: 'x', output: {}, candidates: [null], usage: 'x', usageMetadata: [] }])(
      'reads the response %j as a round with no calls and no usage',
      (body) => {
        const round = adapter.readResponse(body);
        expect(round.proxyCalls).toEqual([]);
        expect(round.clientToolCalls).toBe(0);
        expect(round.usage).toEqual(NO_USAGE);
        expect(adapter.usageOf(body)).toEqual(NO_USAGE);
      },
    );

    it('passes events it does not know through unchanged', () => {
      const relay = adapter.streamRelay();
      relay.beginRound(0);
      for (const raw of ['data: not json\n\n', 'event: surprise\ndata: {"type":"surprise","x":1}\n\n', ': comment\n\n']) {
        const [ev] = new SseParser().push(raw);
        expect(relay.push(ev!)).toBe(raw);
      }
      expect(relay.ending()).toBe('cut');
    });

    it('writes errors in its own format, carrying the message', () => {
      for (const status of [400, 413, 500, 504]) expect(JSON.stringify(adapter.errorBody(status, 'boom ✓'))).toContain('boom ✓');
      const [ev] = new SseParser().push(adapter.streamRelay().error('boom ✓'));
      expect(ev!.data).toContain('boom ✓');
    });
  });
});
