import { describe, expect, it } from 'vitest';
import { commandKey, commandTemplate, isProbe, purposeWords, simpleCommands, tokenize } from '../../src/learn/commands.js';

describe('commandKey', () => {
  // Shapes the agents really write: Codex's exec argv joined (`/bin/bash -lc '...'`) or its plain
  // `cmd`; Claude's, Gemini's and Copilot's plain `command` strings, often with cd, env and pipes.
  it.each([
    ['npm test', 'npm test'],
    ["/bin/bash -lc 'npm test'", 'npm test'],
    ['/bin/bash -lc "cd /tmp/headroom-learn-record-Xan32W/project && npm run check"', 'npm run check'],
    ["bash -lc 'cd project && npm run check -- --silent'", 'npm run check'],
    ['zsh -lc "make build"', 'make build'],
    ['/bin/sh -c "node build.js"', 'node build.js'],
    ['cd /tmp/x && CI=1 FORCE_COLOR=0 npm test 2>&1 | tail -50', 'npm test'],
    ['env NODE_ENV=test npx vitest run test/foo.test.ts', 'npx vitest run'],
    ['timeout 120 npm test', 'npm test'],
    ['npm install; npm test', 'npm test'],
    ['npm test || true', 'npm test'],
    ['npm test && echo done', 'npm test'],
    ['/usr/local/bin/node build.js', 'node build.js'],
    ['python3 -m pytest -x tests/test_api.py', 'python3 -m pytest'],
    ['git commit -m "fix the build"', 'git commit <str>'],
    ['git show 3f2a9c1e7b', 'git show <hash>'],
    ['rm -rf /tmp/headroom-abc123/out', 'rm <tmp>'],
    ['sleep 30', 'sleep <n>'],
    ['ls generated', 'ls generated'],
    ['ls', 'ls'],
  ])('%s -> %s', (command, key) => {
    expect(commandKey(command)).toBe(key);
  });

  it('gives the same key to the same lesson however the agent wrapped it', () => {
    const shapes = ["/bin/bash -lc 'npm run check'", 'npm run check', 'cd /tmp/a && npm run check', 'CI=1 npm run check 2>&1 | head'];
    expect(new Set(shapes.map(commandKey))).toEqual(new Set(['npm run check']));
  });

  it('has no key for a line that runs nothing', () => {
    expect(commandKey('')).toBeUndefined();
    expect(commandKey('cd /tmp/x')).toBeUndefined();
    expect(commandKey('FOO=1')).toBeUndefined();
  });
});

describe('simpleCommands', () => {
  it('unwraps shells and splits chains outside quotes', () => {
    expect(simpleCommands(`bash -lc 'cd x && npm ci && npm test -- -t "a && b"'`)).toEqual(['npm ci', "npm test -- -t 'a && b'"]);
    expect(simpleCommands('echo "a; b"; make')).toEqual(["echo 'a; b'", 'make']);
  });

  it('tokenizes quotes and escapes', () => {
    expect(tokenize(`a 'b c' "d \\"e\\"" f\\ g`)).toEqual(['a', 'b c', 'd "e"', 'f g']);
  });
});

describe('templates', () => {
  it('keeps the program and two positional words, dropping flags', () => {
    expect(commandTemplate('npm --silent run build --watch')).toBe('npm run build');
    expect(commandTemplate('cargo build --release')).toBe('cargo build');
  });

  it('finds what a command is for', () => {
    expect(purposeWords('node build.js')).toEqual(new Set(['build']));
    expect(purposeWords('make build')).toEqual(new Set(['build']));
    expect(purposeWords('npm run check')).toEqual(new Set(['check']));
    expect(purposeWords('git status')).toEqual(new Set());
  });

  it('tells probes from work', () => {
    expect(isProbe('ls generated')).toBe(true);
    expect(isProbe('cat package.json')).toBe(true);
    expect(isProbe('npm test')).toBe(false);
  });
});
