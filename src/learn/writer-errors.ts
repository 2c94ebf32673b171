/** Errors of the instruction-file writer: each names the file (and line) a user has to look at. */

/** The managed section of an instruction file is broken or ambiguous; headroom refuses to guess. */
export class ManagedSectionError extends Error {
  readonly code = 'LEARN_SECTION';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'ManagedSectionError';
  }
}

export type WriteTargetProblem = 'read-only' | 'missing-folder' | 'changed-on-disk' | 'not-text' | 'io';

/** The instruction file cannot be written as planned: nothing was changed. */
export class WriteTargetError extends Error {
  readonly code = 'LEARN_WRITE';
  constructor(
    readonly file: string,
    readonly problem: WriteTargetProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WriteTargetError';
  }
}
