import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonCompressor } from '../../src/compress/json.js';
import { compressContext } from '../../src/compress/compress-text.js';
import { toolOutputs } from './fixtures.js';

const KEY = '0f1e2d3c4b5a6978';
const compress = (text: string, query = '') => jsonCompressor.compress(text, compressContext(text, KEY, { query }));

describe('json: links and ids that tell items apart stay', () => {
  it('keeps every tarball URL of a list of releases (the version is only in the URL)', () => {
    const text = readFileSync(new URL('../../fixtures/outputs/json/npm-view-express-dist.json', import.meta.url), 'utf8');
    const items = JSON.parse(text) as Array<{ tarball: string; integrity: string }>;
    const out = compress(text);
    for (const item of items) {
      expect(out).toContain(item.tarball);
      expect(out).toContain(item.integrity);
    }
  });

  it('drops the URLs of GitHub repos that only repeat the repo name (p10)', () => {
    const text = toolOutputs('p10')[0]!;
    const repos = JSON.parse(text) as Array<{ full_name: string; html_url: string; forks_url: string }>;
    const out = compress(text);
    expect(out).toContain(repos[0]!.full_name);
    expect(out).not.toContain(repos[0]!.forks_url);
    expect(out).toMatch(/URLs and opaque ids: [^\]]*html_url/);
  });
});
