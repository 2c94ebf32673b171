// Preloaded into a test's agent (NODE_OPTIONS=--require) whose fetch ignores HTTPS_PROXY (Node 20's
// global fetch does): fetch reaches loopback hosts only; any other http(s) URL is refused before its
// name is looked up, and written as a line to the file HEADROOM_TEST_OUTBOUND_LOG names. Other
// schemes (data:, blob:, file:) never leave the process and pass.
const fs = require('node:fs');

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);
const realFetch = globalThis.fetch;

globalThis.fetch = async function loopbackOnlyFetch(input, init) {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const url = new URL(href);
  if (!/^https?:$/.test(url.protocol) || loopback.has(url.hostname)) return realFetch(input, init);
  if (process.env.HEADROOM_TEST_OUTBOUND_LOG) fs.appendFileSync(process.env.HEADROOM_TEST_OUTBOUND_LOG, `${href}\n`);
  throw new TypeError(`fetch failed: ${href} is outside the test machine`);
};
