import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rememberRequests } from '../../src/memory/remember.js';

describe('rememberRequests', () => {
  it.each([
    ['Remember that the staging database listens on port 5433. What port does staging use?', ['the staging database listens on port 5433']],
    ['remember: deploys go out on Tuesdays', ['deploys go out on Tuesdays']],
    ['REMEMBER THAT the API key lives in 1Password!', ['the API key lives in 1Password']],
    ['Please remember that we use pnpm, not npm.', ['we use pnpm, not npm']],
    ['please remember the build needs Node 20', ['the build needs Node 20']],
    ['Note for the future: the CI cache is keyed on package-lock.json.', ['the CI cache is keyed on package-lock.json']],
    ['For future reference, staging resets every night', ['staging resets every night']],
    ['From now on, run the linter before committing.', ['run the linter before committing']],
    ['from now on use tabs in Makefiles', ['use tabs in Makefiles']],
    ["Don't forget that the docs site builds from /site.", ['the docs site builds from /site']],
    ['do not forget: migrations must be reversible', ['migrations must be reversible']],
    ['Keep in mind that the payments service is rate-limited to 10 rps.', ['the payments service is rate-limited to 10 rps']],
    ['Bear in mind: tests run against a real Postgres', ['tests run against a real Postgres']],
    ['Also, remember that `npm test` needs Docker running.', ['`npm test` needs Docker running']],
    ['OK please keep in mind that logs are in UTC', ['logs are in UTC']],
    ['- remember that the admin UI is at /admin\n- from now on, prefer zod over joi', ['the admin UI is at /admin', 'prefer zod over joi']],
    ['Remember that e.g. the cron jobs run in UTC. Thanks', ['e.g. the cron jobs run in UTC']],
    ['Remember that "main" is protected.', ['"main" is protected']],
    ['Remember: "releases are tagged vX.Y.Z".', ['releases are tagged vX.Y.Z']],
    ['Fix the bug. Remember that the tests are flaky on CI. Then push.', ['the tests are flaky on CI']],
    ['Remember that the port is 5433. Remember that the port is 5433.', ['the port is 5433']],
    ['# Context\nRemember that staging is eu-west-1', ['staging is eu-west-1']],
  ])('%j -> %j', (text, facts) => {
    expect(rememberRequests(text)).toEqual(facts);
  });

  describe('"remember to X": saved only when X is a standing rule', () => {
    it.each([
      ['Remember to run the linter before committing.', ['run the linter before committing']],
      ["Don't forget to rebase instead of merging.", ['rebase instead of merging']],
      ['remember to always pin exact versions', ['always pin exact versions']],
      ['Please remember to update the snapshot whenever the schema changes', ['update the snapshot whenever the schema changes']],
      ['Remember to bump the version.', []],
      ['remember to ping me when the build finishes', []],
      ['Remember to run the tests on every commit.', ['run the tests on every commit']],
      ['remember to push when done?', []],
      ["Don't forget to update the changelog", []],
    ])('%j -> %j', (text, facts) => {
      expect(rememberRequests(text)).toEqual(facts);
    });
  });

  it.each([
    'Do you remember which port staging uses?',
    "I can't remember the staging port.",
    'I remember that the port used to be 5432.',
    'Remember when we broke prod?',
    'Remember that bug from yesterday?',
    'Remember the bug from yesterday',
    'Remember that?',
    'remember that.',
    'Remember: yes',
    'He said "remember that the cache is cold" and left.',
    '"Remember that the cache is cold," he said.',
    '`remember that x is y` is a string in the tests',
    '> Remember that this is a quoted reply.',
    '```\n// remember that this is code\nremember: also code\n```',
    '~~~md\nRemember that fenced text is not a request.\n~~~',
    'Why would I remember that the port is 5433?',
    'We should remember that later, maybe.',
    'Done. Remember: this reply is the model speaking? no',
  ])('ignores %j', (text) => {
    expect(rememberRequests(text)).toEqual([]);
  });

  it('finds requests after a code block and ignores the ones inside it', () => {
    const text = 'Here is the config:\n```toml\n# remember that this is a comment\n```\nRemember that the config lives in ~/.app/config.toml.';
    expect(rememberRequests(text)).toEqual(['the config lives in ~/.app/config.toml']);
  });

  it('never throws, and every fact it returns is a trimmed part of the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('', 'Remember that ', 'from now on, ', 'Keep in mind: '), (tail, head) => {
        const text = head + tail;
        for (const fact of rememberRequests(text)) {
          expect(fact).toBe(fact.trim());
          expect(fact.length).toBeGreaterThan(0);
          expect(text.replace(/\s+/g, ' ')).toContain(fact.replace(/^["'“‘]|["'”’]$/g, ''));
        }
      }),
      { numRuns: 500 },
    );
  });
});
