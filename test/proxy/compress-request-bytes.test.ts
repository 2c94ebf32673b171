import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { compressRequest } from '../../src/proxy/compress-request.js';

/** A request body as `fs.readFileSync` returns it: bytes, compressed as the same text would be. */

const home = mkdtempSync(join(tmpdir(), 'headroom-bytes-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const file = 'fixtures/workloads/p02-sre-postgres-deadlock-crash/request.json';
const text = readFileSync(file, 'utf8');

describe('compressRequest with a body in bytes', () => {
  it('compresses a Buffer like its text and gives a Buffer back', () => {
    const fromText = compressRequest(text, { store });
    const fromBuffer = compressRequest(readFileSync(file), { store });
    expect(fromText.tokensAfter).toBeLessThan(fromText.tokensBefore);
    expect(Buffer.isBuffer(fromBuffer.body)).toBe(true);
    expect(fromBuffer.body.toString('utf8')).toBe(fromText.body);
    const withoutTime = (outs: typeof fromText.toolOutputs) => outs.map(({ ms: _ms, ...rest }) => rest);
    expect(withoutTime(fromBuffer.toolOutputs)).toEqual(withoutTime(fromText.toolOutputs));
  });

  it('compresses a Uint8Array and gives a Uint8Array back', () => {
    const fromText = compressRequest(text, { store });
    const bytes = new TextEncoder().encode(text);
    const out = compressRequest(bytes, { store });
    expect(out.body).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(out.body)).toBe(false);
    expect(new TextDecoder().decode(out.body)).toBe(fromText.body);
  });

  it('reads past a UTF-8 byte order mark', () => {
    const fromText = compressRequest(text, { store });
    const out = compressRequest(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), { store });
    expect(out.body.toString('utf8')).toBe(fromText.body);
  });

  it('refuses bytes that are not UTF-8 and other binary forms with a TypeError', () => {
    expect(() => compressRequest(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { store })).toThrow(/not UTF-8/);
    expect(() => compressRequest(new ArrayBuffer(8), { store })).toThrow(TypeError);
    expect(() => compressRequest(new Uint16Array(4), { store })).toThrow(TypeError);
  });
});
