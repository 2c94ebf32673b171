import { describe, expect, it } from 'vitest';
import { correctionKey, correctionRuleText, isCorrection, mentions, quoteCommands } from '../../src/learn/corrections.js';

describe('corrections vs redirects', () => {
  it.each([
    'no, use pnpm',
    "don't touch conftest.py",
    'Do not edit the generated files.',
    'never run migrations against prod',
    'use make build instead',
    'Always run the linter first.',
    'No, never run node build.js directly: use make build instead.',
    'Stop. We use yarn here.',
    'avoid sudo',
  ])('%s is a correction', (text) => {
    expect(isCorrection(text)).toBe(true);
  });

  it.each([
    'Now summarise the README in one line.',
    'Run the tests, then build the project.',
    'What does this error mean?',
    'Thanks!',
    'Build the project and list the generated files.',
    'I cannot see the output, can you run it again?',
    '',
  ])('%s is no correction', (text) => {
    expect(isCorrection(text)).toBe(false);
  });
});

describe('rule text and keys from the user words', () => {
  it('drops the rebuke and tidies the sentence', () => {
    expect(correctionRuleText('no, use pnpm')).toBe('Use pnpm.');
    expect(correctionRuleText('Nope!! never touch conftest.py')).toBe('Never touch conftest.py.');
    expect(correctionRuleText('Always run the linter first!')).toBe('Always run the linter first!');
  });

  it('gives differently worded negations of the same thing one key', () => {
    const key = correctionKey("No, don't touch conftest.py");
    expect(key).toBe('said:never touch conftest.py');
    expect(correctionKey('Never touch conftest.py!')).toBe(key);
    expect(correctionKey('please do not touch the conftest.py')).toBe(key);
    expect(correctionKey('never touch setup.py')).not.toBe(key);
  });

  it('finds the commands the words name, as whole words', () => {
    const quote = 'No, never run node build.js directly: use make build instead.';
    expect(mentions(quote, 'node build.js')).toBe(true);
    expect(mentions(quote, 'make build')).toBe(true);
    expect(mentions(quote, 'npm test')).toBe(false);
    expect(mentions('no, use pnpm', 'npm')).toBe(false);
    expect(quoteCommands('Never run node build.js directly: use make build instead.', ['node build.js', 'make build'])).toBe(
      'Never run `node build.js` directly: use `make build` instead.',
    );
  });
});
