import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every .ts file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the proxy knows no agent', () => {
  it('imports nothing from src/agents, src/exec or src/wrap (agent identity comes in as options)', () => {
    const crossings = sources('src/proxy').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\(\s*)['"]((?:\.\.\/)+(?:agents|exec|wrap)\/[^'"]*)['"]/g)].map((m) => `${file}: ${m[1]}`),
    );
    expect(crossings).toEqual([]);
  });
});
