import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reportFailure } from '../src/cli/exit-codes.js';
import * as errors from '../src/errors.js';
import {
  BodyTooLarge,
  CcrWriteError,
  CliError,
  ConfigError,
  EmbedderLoadError,
  EXIT,
  failureOf,
  HeadroomError,
  LaunchError,
  ManagedSectionError,
  McpInstallError,
  MemoryDbError,
  MemoryInputError,
  SinceError,
  UpstreamError,
  WriteTargetError,
} from '../src/errors.js';

const disk = Object.assign(new Error('EFBIG: file too large'), { code: 'EFBIG' });

// Every error a user can meet, with the code a script matches and the exit code of `headroom`.
const cases: Array<[string, HeadroomError, string, number]> = [
  ['a bad option value', new CliError('--port must be a port number (0-65535), got "x"'), 'USAGE', EXIT.usage],
  ['nothing found', new CliError('no original stored under 0123456789abcdef', EXIT.failed), 'FAILED', EXIT.failed],
  ['a command that cannot start', new CliError('could not run nope: ENOENT', EXIT.cannotRun), 'CANNOT_RUN', 127],
  ['a bad setting', new ConfigError('HEADROOM_CCR_TTL_HOURS must be a positive number of hours, got "x"', 'HEADROOM_CCR_TTL_HOURS'), 'CONFIG', EXIT.usage],
  ['a bad --since', new SinceError('yesterday'), 'BAD_SINCE', EXIT.usage],
  ['an agent that cannot be launched', new LaunchError('Codex CLI is not installed'), 'LAUNCH', EXIT.usage],
  ['an upstream failure', new UpstreamError('the upstream failed', { url: 'http://127.0.0.1:1/v1/messages', status: 502, timedOut: false }), 'UPSTREAM', EXIT.failed],
  ['an upstream timeout', new UpstreamError('the upstream timed out', { url: 'http://127.0.0.1:1/v1/messages', timedOut: true }), 'UPSTREAM_TIMEOUT', EXIT.failed],
  ['a body over the limit', new BodyTooLarge(10), 'BODY_TOO_LARGE', EXIT.failed],
  ['an original that cannot be stored', new CcrWriteError('/tmp/ccr', disk), 'CCR_WRITE', EXIT.failed],
  ['a broken managed section', new ManagedSectionError('CLAUDE.md', 3, 'two start markers'), 'LEARN_SECTION', EXIT.failed],
  ['an instruction file that cannot be written', new WriteTargetError('AGENTS.md', 'read-only', 'AGENTS.md is read-only'), 'LEARN_WRITE', EXIT.failed],
  ['MCP settings headroom will not touch', new McpInstallError('settings.json is not valid JSON', 'settings.json'), 'MCP_INSTALL', EXIT.failed],
  ['a bad memory', new MemoryInputError('a memory is at most 4000 characters'), 'MEMORY_INPUT', EXIT.usage],
  ['an unreadable memory database', new MemoryDbError('/home/u/.headroom/memory', new Error('corrupt\nmore')), 'MEMORY_DB', EXIT.failed],
  ['a model that will not load', new EmbedderLoadError('no model files in /models', 'minilm'), 'EMBEDDER_LOAD', EXIT.failed],
];

describe('failureOf: the one mapping from an error to what the CLI reports', () => {
  it.each(cases)('%s', (_what, err, code, exitCode) => {
    expect(failureOf(err)).toEqual({ code, exitCode, message: err.message, unexpected: false });
    expect(err.code).toBe(code);
    expect(err.exitCode).toBe(exitCode);
    expect(err).toBeInstanceOf(HeadroomError);
    expect(err).toBeInstanceOf(Error);
  });

  it('covers every error class src/errors.ts declares', () => {
    const declared = Object.values(errors).filter((v) => typeof v === 'function' && v.prototype instanceof HeadroomError);
    const covered = new Set(cases.map(([, err]) => err.constructor));
    expect(declared.filter((c) => !covered.has(c as never)).map((c) => (c as { name: string }).name)).toEqual([]);
  });

  it('names each error after its class', () => {
    for (const [, err] of cases) expect(err.name).toBe(err.constructor.name);
  });

  it('reports anything else as unexpected, exit 1', () => {
    expect(failureOf(new TypeError('x is undefined'))).toEqual({ code: 'UNEXPECTED', message: 'unexpected error: x is undefined', exitCode: EXIT.failed, unexpected: true });
    expect(failureOf('a string')).toMatchObject({ code: 'UNEXPECTED', message: 'unexpected error: a string' });
  });

  it('keeps the cause and the facts a user acts on', () => {
    const config = new ConfigError('bad table', 'pricing', { path: '/etc/prices.json', cause: disk });
    expect(config).toMatchObject({ key: 'pricing', path: '/etc/prices.json', cause: disk });
    expect(new CcrWriteError('/tmp/ccr', disk)).toMatchObject({ dir: '/tmp/ccr', cause: disk, message: 'cannot store an original in /tmp/ccr: EFBIG: file too large' });
    expect(new MemoryDbError('/m', new Error('corrupt\nmore')).message).toBe('the memory database at /m cannot be read: corrupt');
    expect(new UpstreamError('x', { url: 'http://u/v1', timedOut: true, cause: disk })).toMatchObject({ url: 'http://u/v1', status: undefined, timedOut: true, cause: disk });
  });
});

describe('reportFailure', () => {
  function report(err: unknown, json: boolean): { code: number; stdout: string; stderr: string } {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const code = reportFailure(err, { json, stdout, stderr });
    return { code, stdout: String(stdout.read() ?? ''), stderr: String(stderr.read() ?? '') };
  }

  it('prints one line on stderr and returns the exit code', () => {
    expect(report(new SinceError('x'), false)).toEqual({ code: 2, stdout: '', stderr: 'headroom: --since must be a span like 30m, 24h, 7d, 2w or a date like 2026-11-01, got "x"\n' });
  });

  it('prints {error: {code, message}} on stdout for --json', () => {
    const r = report(new MemoryDbError('/m', new Error('corrupt')), true);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'MEMORY_DB', message: 'the memory database at /m cannot be read: corrupt' } });
  });

  it('prints the stack of an unexpected error', () => {
    const err = new TypeError('x is undefined');
    const r = report(err, false);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`headroom: unexpected error: ${err.stack}\n`);
  });
});
