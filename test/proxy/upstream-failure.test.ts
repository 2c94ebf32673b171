import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { upstreamFailure } from '../../src/proxy/upstream.js';

const coded = (message: string, code: string): Error => Object.assign(new Error(message), { code });
const URL = 'http://127.0.0.1:9/anthropic';

describe('upstreamFailure: timed out or failed, told by the error code', () => {
  it.each([
    ['the headers did not arrive', coded('no answer', 'UND_ERR_HEADERS_TIMEOUT')],
    ['the body stalled', coded('stalled', 'UND_ERR_BODY_TIMEOUT')],
    ['the connection did not open', coded('no connection', 'UND_ERR_CONNECT_TIMEOUT')],
    ['a decoder passing on the timeout as its cause', new Error('unexpected end of file', { cause: coded('stalled', 'UND_ERR_BODY_TIMEOUT') })],
  ])('%s: a timeout', (_what, err) => {
    const failure = upstreamFailure(err, URL);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ timedOut: true, code: 'UPSTREAM_TIMEOUT', url: URL, cause: err });
    expect(failure.message).toBe(`the upstream ${URL} timed out: ${err.message}`);
  });

  it.each([
    ['a refused connection', coded('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED')],
    ['a host whose name says timeout', coded('getaddrinfo ENOTFOUND timeout.invalid', 'ENOTFOUND')],
    ['a reset that mentions a timeout', new Error('socket hang up after keep-alive timeout')],
  ])('%s: a failure, whatever its message says', (_what, err) => {
    expect(upstreamFailure(err, URL)).toMatchObject({ timedOut: false, code: 'UPSTREAM', message: `the upstream ${URL} failed: ${err.message}` });
  });

  it('keeps an UpstreamError as it is', () => {
    const err = new UpstreamError('the upstream timed out', { url: URL, timedOut: true });
    expect(upstreamFailure(err, 'elsewhere')).toBe(err);
  });
});
