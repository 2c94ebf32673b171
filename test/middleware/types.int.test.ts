import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the middleware with the SDKs\' own types', () => {
  it('type-checks a user\'s typed calls (and rejects wrong ones) with tsc', () => {
    let output = '';
    try {
      output = execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/middleware/typed/tsconfig.json'], { encoding: 'utf8' });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(output).toBe('');
  }, 120_000);
});
