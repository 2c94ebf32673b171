import { failureOf } from '../errors.js';

/** The CLI's face of src/errors.ts: the exit codes, its own error, and how a failure is printed. */
export { CliError, EXIT } from '../errors.js';

/**
 * Prints a failure as the command's last words and returns its exit code: one line on stderr
 * (`headroom: ...`, with the stack when it is a bug), or `{"error": {code, message}}` on
 * stdout when the command was asked for --json, so a script reading the JSON sees it.
 */
export function reportFailure(err: unknown, out: { json: boolean; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): number {
  const failure = failureOf(err);
  if (out.json) {
    out.stdout.write(`${JSON.stringify({ error: { code: failure.code, message: failure.message } })}\n`);
  } else if (failure.unexpected && err instanceof Error && err.stack) {
    out.stderr.write(`headroom: unexpected error: ${err.stack}\n`);
  } else {
    out.stderr.write(`headroom: ${failure.message}\n`);
  }
  return failure.exitCode;
}
