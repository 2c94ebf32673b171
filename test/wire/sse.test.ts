import { describe, expect, it } from 'vitest';
import { eventJson, formatSse, SseParser, type SseEvent } from '../../src/wire/index.js';

/**
 * The SSE decoder fed the same bytes cut at every place: between any two bytes (inside a
 * four-byte character, between `\r` and `\n`, inside "data:"), and at every pair of places.
 */

const STREAMS: Array<[string, string, SseEvent[]]> = [
  [
    'CRLF, names, comments, multi-line data, multi-byte text',
    'event: message_start\r\ndata: {"t":"héllo ✓ 🙂"}\r\n\r\n' +
      ': keep-alive\r\n\r\n' +
      'id: 7\r\nretry: 10\r\ndata:first\r\ndata: second\r\n\r\n' +
      'data: [DONE]\r\n\r\n',
    [
      { event: 'message_start', data: '{"t":"héllo ✓ 🙂"}', raw: 'event: message_start\r\ndata: {"t":"héllo ✓ 🙂"}\r\n\r\n' },
      { data: '', raw: ': keep-alive\r\n\r\n' },
      { data: 'first\nsecond', raw: 'id: 7\r\nretry: 10\r\ndata:first\r\ndata: second\r\n\r\n' },
      { data: '[DONE]', raw: 'data: [DONE]\r\n\r\n' },
    ],
  ],
  [
    'LF and a bare field name',
    'data: 🙂🙂\n\ndata\n\nevent: e\ndata:  two spaces\n\n',
    [
      { data: '🙂🙂', raw: 'data: 🙂🙂\n\n' },
      { data: '', raw: 'data\n\n' },
      { event: 'e', data: ' two spaces', raw: 'event: e\ndata:  two spaces\n\n' },
    ],
  ],
  [
    'CR alone',
    'data: a✓\r\rdata: b\r\r',
    [
      { data: 'a✓', raw: 'data: a✓\r\r' },
      { data: 'b', raw: 'data: b\r\r' },
    ],
  ],
];

function parse(chunks: Uint8Array[]): { events: SseEvent[]; rest: string } {
  const parser = new SseParser();
  const events = chunks.flatMap((c) => parser.push(c));
  return { events, rest: parser.end() };
}

describe.each(STREAMS)('SseParser: %s', (_name, text, expected) => {
  const data = new TextEncoder().encode(text);

  it('reads the stream in one chunk, each event keeping its raw text', () => {
    expect(parse([data])).toEqual({ events: expected, rest: '' });
    expect(expected.map((e) => e.raw).join('')).toBe(text);
  });

  it('reads the same events whichever byte the stream is cut at', () => {
    for (let i = 1; i < data.length; i++) expect(parse([data.subarray(0, i), data.subarray(i)])).toEqual({ events: expected, rest: '' });
    expect(parse([...data].map((b) => Uint8Array.of(b)))).toEqual({ events: expected, rest: '' });
  });

  it('reads the same events whichever two bytes the stream is cut at', () => {
    for (let i = 1; i < data.length; i++) {
      for (let j = i + 1; j < data.length; j++) {
        expect(parse([data.subarray(0, i), data.subarray(i, j), data.subarray(j)]).events).toEqual(expected);
      }
    }
  });

  it('gives back an event cut short at the end of the stream, never as an event', () => {
    const last = expected.at(-1)!.raw;
    const cutAt = data.length - new TextEncoder().encode(last).length;
    for (let end = cutAt + 1; end < data.length; end++) {
      const { events, rest } = parse([data.subarray(0, end)]);
      expect(events).toEqual(expected.slice(0, -1));
      expect(rest).toBe(new TextDecoder().decode(data.subarray(cutAt, end)));
    }
  });
});

describe('SSE helpers', () => {
  it('formats an event that parses back to itself', () => {
    const text = formatSse('{"a":"✓"}', 'named');
    expect(new SseParser().push(text)).toEqual([{ event: 'named', data: '{"a":"✓"}', raw: text }]);
  });

  it('reads event data as a JSON object only when it is one', () => {
    const ev = (data: string): SseEvent => ({ data, raw: `data: ${data}\n\n` });
    expect(eventJson(ev('{"a":1}'))).toEqual({ a: 1 });
    for (const data of ['[DONE]', '{"a":', '[1]', '', 'null']) expect(eventJson(ev(data))).toBeUndefined();
  });
});
