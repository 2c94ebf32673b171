/**
 * Every error headroom reports to a user, in one file: each has a stable `code` a script can
 * match, the exit code the `headroom` command ends with, its `cause`, and the facts a user
 * needs to act on it (a path, a key, a URL). `failureOf` turns any thrown value into what the
 * CLI prints; nothing else maps errors to exit codes.
 */

/** Exit codes of the `headroom` command, in one place. */
export const EXIT = {
  ok: 0,
  /** The work ran but its result is a failure (a benchmark needle lost, a key not found). */
  failed: 1,
  /** Bad usage or bad input: a missing file, malformed JSON, an unknown kind, a bad setting. */
  usage: 2,
  /** The command to run could not be started (as a shell says). */
  cannotRun: 127,
} as const;

interface Details {
  code: string;
  exitCode: number;
  cause?: unknown;
}

/** The base of every error headroom means a user to read; its message says what failed and where. */
export class HeadroomError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(message: string, details: Details) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.exitCode = details.exitCode;
    this.name = new.target.name;
  }
}

const CLI_CODES: Record<number, string> = { [EXIT.failed]: 'FAILED', [EXIT.usage]: 'USAGE', [EXIT.cannotRun]: 'CANNOT_RUN' };

/** A command's own complaint (a bad option value, a missing file, nothing found), with its exit code. */
export class CliError extends HeadroomError {
  constructor(message: string, exitCode: number = EXIT.usage, options?: { cause?: unknown; code?: string }) {
    super(message, { code: options?.code ?? CLI_CODES[exitCode] ?? 'FAILED', exitCode, cause: options?.cause });
  }
}

/** A setting (an environment variable, an option, a config file) has a value headroom cannot use. */
export class ConfigError extends HeadroomError {
  /** The file the setting came from, when it came from one. */
  readonly path: string | undefined;
  constructor(
    message: string,
    /** The setting: an environment variable, an option or a file's role ("pricing"). */
    readonly key: string,
    options?: { path?: string; cause?: unknown },
  ) {
    super(message, { code: 'CONFIG', exitCode: EXIT.usage, cause: options?.cause });
    this.path = options?.path;
  }
}

/** A `--since` value that is neither a span ("7d") nor a date. */
export class SinceError extends HeadroomError {
  constructor(readonly spec: string) {
    super(`--since must be a span like 30m, 24h, 7d, 2w or a date like 2026-11-01, got "${spec}"`, { code: 'BAD_SINCE', exitCode: EXIT.usage });
  }
}

/**
 * The agent cannot be started through headroom as things are (not installed, routed through
 * the proxy in a way its settings forbid, --memory unavailable); the message says what to change.
 */
export class LaunchError extends HeadroomError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: 'LAUNCH', exitCode: EXIT.usage, cause: options?.cause });
  }
}

/** The model provider failed a request the proxy forwarded: it answered an error, never answered, or could not be reached. */
export class UpstreamError extends HeadroomError {
  readonly url: string;
  /** The status the upstream answered, when it answered. */
  readonly status: number | undefined;
  /** No answer (or no more of it) within the proxy's upstream timeout. */
  readonly timedOut: boolean;
  constructor(message: string, details: { url: string; status?: number; timedOut: boolean; cause?: unknown }) {
    super(message, { code: details.timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM', exitCode: EXIT.failed, cause: details.cause });
    this.url = details.url;
    this.status = details.status;
    this.timedOut = details.timedOut;
  }
}

/** A request body over the proxy's size limit (answered 413). */
export class BodyTooLarge extends HeadroomError {
  constructor(readonly limit: number) {
    super(`request body is larger than the proxy's limit of ${limit} bytes`, { code: 'BODY_TOO_LARGE', exitCode: EXIT.failed });
  }
}

/** An original that could not be stored (a full disk, a file size limit): nothing is kept under its key. */
export class CcrWriteError extends HeadroomError {
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    super(`cannot store an original in ${dir}: ${cause instanceof Error ? cause.message : String(cause)}`, { code: 'CCR_WRITE', exitCode: EXIT.failed, cause });
  }
}

/** The managed section of an instruction file is broken or ambiguous; headroom refuses to guess. */
export class ManagedSectionError extends HeadroomError {
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`, { code: 'LEARN_SECTION', exitCode: EXIT.failed });
  }
}

export type WriteTargetProblem = 'read-only' | 'missing-folder' | 'changed-on-disk' | 'not-text' | 'io';

/** The instruction file cannot be written as planned: nothing was changed. */
export class WriteTargetError extends HeadroomError {
  constructor(
    readonly file: string,
    readonly problem: WriteTargetProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, { code: 'LEARN_WRITE', exitCode: EXIT.failed, cause: options?.cause });
  }
}

/** An agent's MCP settings cannot be changed safely (unreadable, hand-edited, already there); nothing was written. */
export class McpInstallError extends HeadroomError {
  constructor(
    message: string,
    /** The agent's settings file, when one is concerned. */
    readonly file?: string,
  ) {
    super(message, { code: 'MCP_INSTALL', exitCode: EXIT.failed });
  }
}

/** Bad input for a memory save (empty, too long, an unknown id to replace); the message says what to do. */
export class MemoryInputError extends HeadroomError {
  constructor(message: string) {
    super(message, { code: 'MEMORY_INPUT', exitCode: EXIT.usage });
  }
}

/** The memory database cannot be opened or read; nothing in it was changed. */
export class MemoryDbError extends HeadroomError {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`the memory database at ${path} cannot be read: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`, { code: 'MEMORY_DB', exitCode: EXIT.failed, cause });
  }
}

/** The embedding model could not be loaded; the message says where headroom looked and what to do. */
export class EmbedderLoadError extends HeadroomError {
  constructor(
    message: string,
    readonly model: string,
    options?: { cause?: unknown },
  ) {
    super(message, { code: 'EMBEDDER_LOAD', exitCode: EXIT.failed, cause: options?.cause });
  }
}

/** What the CLI reports for a thrown value. */
export interface Failure {
  code: string;
  message: string;
  exitCode: number;
  /** Not a HeadroomError: a bug or an unforeseen failure, reported with its stack. */
  unexpected: boolean;
}

/** The one mapping from anything thrown to a code, a message and an exit code. */
export function failureOf(err: unknown): Failure {
  if (err instanceof HeadroomError) return { code: err.code, message: err.message, exitCode: err.exitCode, unexpected: false };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'UNEXPECTED', message: `unexpected error: ${message}`, exitCode: EXIT.failed, unexpected: true };
}
