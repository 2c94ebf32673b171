import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { KEEP_HALF, keepOutput, keptText, OUTPUT_KEEP_CHARS, type ReadCounts } from './events.js';
import { isObject, parseLine, type Json } from './transcript.js';

/**
 * Streaming JSONL for the transcript event readers: records of files of any size, in bounded
 * memory. A line too big to hold (a giant tool output) is parsed as it streams, its long
 * strings cut to head and tail (CutText) with their real length kept.
 */

export interface JsonlRecord {
  /** 1-based line number. */
  line: number;
  /** The line's JSON object, or undefined when it is not one (cut short, binary junk, an array). */
  row?: Json;
}

/**
 * The non-blank lines of a JSONL file as objects, read as a stream: memory stays bounded by
 * WHOLE_LINE_BYTES plus the kept parts of a giant line, however big the file or its lines are.
 * Counts every line in `counts.lines`. Throws only when the file cannot be read.
 */
export async function* jsonlRecords(file: string, counts: ReadCounts): AsyncGenerator<JsonlRecord> {
  let line = 0;
  let parts: Buffer[] = [];
  let size = 0;
  let streamed: BoundedJson | undefined;
  const finish = (): JsonlRecord | undefined => {
    line++;
    counts.lines++;
    let row: Json | undefined;
    if (streamed) {
      row = streamed.end();
      streamed = undefined;
    } else {
      const text = Buffer.concat(parts, size).toString('utf8');
      if (text.trim() === '') {
        parts = [];
        size = 0;
        return undefined;
      }
      row = parseLine(text);
    }
    parts = [];
    size = 0;
    return { line, row };
  };
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(10, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      if (streamed) streamed.write(piece);
      else {
        parts.push(piece);
        size += piece.length;
        if (size > WHOLE_LINE_BYTES) {
          streamed = new BoundedJson();
          for (const p of parts) streamed.write(p);
          parts = [];
          size = 0;
        }
      }
      if (nl === -1) break;
      const record = finish();
      if (record) yield record;
      start = nl + 1;
    }
  }
  if (streamed || size > 0) {
    const record = finish();
    if (record) yield record;
  }
}

/** Lines up to this many bytes are parsed whole; longer ones (a giant tool output) are parsed as they stream. */
const WHOLE_LINE_BYTES = 1 << 20;
/** In a streamed line, strings longer than this keep only their head and tail. */
const LONG_STRING_CHARS = 64 * 1024;
/**
 * In a streamed line, a number or literal longer than this fails the line: no JSON writer
 * spells a number or true/false/null that long, so it is junk, and collecting it would cost
 * memory without bound.
 */
const BARE_TOKEN_CHARS = 64;
/** In a streamed line, arrays and objects nested deeper than this fail the line (a run of `[` is junk, not a record). */
const MAX_DEPTH = 512;

/** A string of a giant line that was cut while reading: its head and tail as keepOutput shows them, and its real length. */
export class CutText {
  constructor(
    readonly text: string,
    readonly length: number,
  ) {}
  /** Serialises as its kept text, so code that stringifies a row still sees a string. */
  toJSON(): string {
    return this.text;
  }
}

/** A text value of a record (a string, or one cut while reading) as the output to keep and its full length. */
export function textOf(value: unknown): { text: string; chars: number } | undefined {
  if (typeof value === 'string') return { text: keepOutput(value), chars: value.length };
  if (value instanceof CutText) return { text: value.text, chars: value.length };
  return undefined;
}

/**
 * An output made of parts (text blocks, output items), joined with `sep`, as the output to keep
 * and the whole's length; parts that are not text are skipped. When a part was cut while
 * reading, the joined kept texts still start and end as the whole does (a cut part keeps
 * KEEP_HALF characters each side of its marker), so those ends are kept with the whole's count.
 */
export function joinTexts(parts: unknown[], sep = '\n'): { text: string; chars: number } {
  const texts: string[] = [];
  let chars = 0;
  let cut = false;
  for (const part of parts) {
    const text = plain(part);
    if (text === undefined) continue;
    if (texts.length > 0) chars += sep.length;
    chars += part instanceof CutText ? part.length : text.length;
    cut ||= part instanceof CutText;
    texts.push(text);
  }
  const joined = texts.join(sep);
  if (!cut) return { text: keepOutput(joined), chars };
  return { text: keptText(joined.slice(0, KEEP_HALF), joined.slice(-KEEP_HALF), chars - 2 * KEEP_HALF), chars };
}

/** A text value as a plain string (a cut one as its kept text). */
export function plain(value: unknown): string | undefined {
  return typeof value === 'string' ? value : value instanceof CutText ? value.text : undefined;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

type Container = { kind: 'object'; value: Json; key?: string } | { kind: 'array'; value: unknown[] };

/**
 * A JSON parser fed piece by piece, for lines too big to hold: it builds the value, but a
 * string longer than LONG_STRING_CHARS keeps only its head and tail (a CutText). end() returns
 * the object, or undefined when the line was not one JSON object. Junk fails the line as soon
 * as it shows (a root that is not an object, a bare token over BARE_TOKEN_CHARS, nesting over
 * MAX_DEPTH), and the rest of a failed line is not even decoded.
 */
class BoundedJson {
  private readonly decoder = new StringDecoder('utf8');
  private readonly stack: Container[] = [];
  private result: unknown;
  private done = false;
  private failed = false;
  /** Inside a string: what is kept of it. */
  private inString = false;
  private escape = '';
  /** The string outgrew LONG_STRING_CHARS: `head` is its start, `tail` a rolling end. */
  private long = false;
  private head = '';
  private tail = '';
  private length = 0;
  /** A number or literal being read. */
  private scalar = '';

  write(bytes: Buffer): void {
    if (!this.failed) this.feed(this.decoder.write(bytes));
  }

  end(): Json | undefined {
    if (!this.failed) this.feed(this.decoder.end());
    if (!this.failed && this.scalar !== '') {
      try {
        this.endScalar();
      } catch {
        this.failed = true;
      }
    }
    if (this.failed || !this.done || this.inString || this.stack.length > 0) return undefined;
    return isObject(this.result) ? this.result : undefined;
  }

  private feed(text: string): void {
    let i = 0;
    try {
      while (i < text.length && !this.failed) {
        if (this.inString) {
          i = this.readString(text, i);
          continue;
        }
        const c = text[i] as string;
        if (/[\s]/.test(c)) {
          if (this.scalar !== '') this.endScalar();
        } else if (c === '"') {
          if (this.scalar !== '') this.endScalar();
          this.inString = true;
          this.long = false;
          this.head = '';
          this.tail = '';
          this.length = 0;
        } else if (c === '{' || c === '[') {
          this.open(c === '{' ? { kind: 'object', value: {} } : { kind: 'array', value: [] });
        } else if (c === '}' || c === ']') {
          if (this.scalar !== '') this.endScalar();
          // The container was placed in its parent when it opened.
          const top = this.stack.pop();
          if (!top || (c === '}') !== (top.kind === 'object') || (top.kind === 'object' && top.key !== undefined)) throw new Error('bad close');
        } else if (c === ',' || c === ':') {
          if (this.scalar !== '') this.endScalar();
        } else {
          // Past the limit, write() ignores the rest of the line.
          if (this.scalar.length >= BARE_TOKEN_CHARS) throw new Error('bare token too long');
          this.scalar += c;
        }
        i++;
      }
    } catch {
      this.failed = true;
    }
  }

  /** Reads string characters from text[i]; returns where it stopped. */
  private readString(text: string, i: number): number {
    if (this.escape !== '') {
      this.escape += text[i];
      i++;
      const e = this.escape;
      if (e.length === 2 && e[1] !== 'u') {
        const c = ESCAPES[e[1] as string];
        if (c === undefined) throw new Error('bad escape');
        this.append(c);
      } else if (e.length === 6) this.append(JSON.parse(`"${e}"`) as string);
      else return i;
      this.escape = '';
      return i;
    }
    let j = i;
    while (j < text.length && text[j] !== '"' && text[j] !== '\\') j++;
    if (j > i) this.append(text.slice(i, j));
    if (j === text.length) return j;
    if (text[j] === '\\') {
      this.escape = '\\';
      return j + 1;
    }
    this.inString = false;
    this.put(this.long ? this.cut() : this.head);
    return j + 1;
  }

  private append(s: string): void {
    this.length += s.length;
    if (!this.long) {
      this.head += s;
      if (this.head.length <= LONG_STRING_CHARS) return;
      // From here on keep only the head and a rolling tail.
      this.long = true;
      this.tail = this.head.slice(-OUTPUT_KEEP_CHARS);
      this.head = this.head.slice(0, OUTPUT_KEEP_CHARS);
      return;
    }
    this.tail += s;
    if (this.tail.length > 4 * OUTPUT_KEEP_CHARS) this.tail = this.tail.slice(-OUTPUT_KEEP_CHARS);
  }

  private cut(): CutText {
    return new CutText(keptText(this.head.slice(0, KEEP_HALF), this.tail.slice(-KEEP_HALF), this.length - 2 * KEEP_HALF), this.length);
  }

  private endScalar(): void {
    const value: unknown = JSON.parse(this.scalar);
    this.scalar = '';
    this.put(value);
  }

  private open(c: Container): void {
    if (this.stack.length >= MAX_DEPTH) throw new Error('nested too deep');
    this.put(c.value);
    this.stack.push(c);
  }

  /** Places a finished value: as the root, in an array, as an object's key or as its value. */
  private put(value: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      // Only an object is a record: anything else fails at once rather than being built first.
      if (this.done || !isObject(value)) throw new Error('not one object');
      this.result = value;
      this.done = true;
      return;
    }
    if (top.kind === 'array') top.value.push(value);
    else if (top.key === undefined) {
      if (typeof value !== 'string') throw new Error('bad key');
      top.key = value;
    } else {
      setOwn(top.value, top.key, value);
      top.key = undefined;
    }
  }
}

/**
 * A tool's input for an event: long strings (the input itself, or an object's fields or an
 * array's items) cut like outputs; an object or array whose JSON is still over 4 × OUTPUT_KEEP_CHARS
 * becomes that JSON cut to head and tail.
 */
export function boundedInput(input: unknown): unknown {
  if (input instanceof CutText) return input.text;
  if (typeof input === 'string') return keepOutput(input);
  let out: Json | unknown[];
  if (Array.isArray(input)) out = input.map(boundedString);
  else if (isObject(input)) {
    out = {};
    for (const [k, v] of Object.entries(input)) setOwn(out, k, boundedString(v));
  } else return input;
  const json = JSON.stringify(out);
  return json.length > 4 * OUTPUT_KEEP_CHARS ? keepOutput(json) : out;
}

/** A field or item of an input: a string (or cut string) as boundedInput keeps it, anything else as it is. */
function boundedString(value: unknown): unknown {
  return typeof value === 'string' || value instanceof CutText ? boundedInput(value) : value;
}

/** `obj[key] = value` as JSON.parse does it: a key such as "__proto__" becomes an own property, never the prototype. */
function setOwn(obj: Json, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}
