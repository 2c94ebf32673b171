/** Exit codes of the `headroom` command, in one place. */
export const EXIT = {
  ok: 0,
  /** The work ran but its result is a failure (a benchmark needle lost, a key not found). */
  failed: 1,
  /** Bad usage or bad input: a missing file, malformed JSON, an unknown kind. */
  usage: 2,
} as const;

/** An error the CLI reports as one clear line, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}
