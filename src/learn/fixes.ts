import { isProbe, purposeWords } from './commands.js';

/** A shell call that ran, as the fix pairing sees it. */
export interface Ran {
  /** Position of the call's result in the session (1, 2, ...). */
  index: number;
  /** The command as the agent ran it. */
  command: string;
  template: string;
}

/** How many calls after a failure a variant that works still counts as its fix. */
export const FIX_WINDOW = 4;

/**
 * The call that fixed a failing one, among the calls that succeeded after it (in order, within
 * FIX_WINDOW): one for the same purpose (test, build, ...), else one of the same program. None when
 * the failing command itself later worked (it was transient, or another step fixed it), when the
 * failure was only a probe (`ls missing/`), or when nothing later is related.
 */
export function pickFix(failing: string, later: readonly Ran[]): Ran | undefined {
  if (isProbe(failing) || later.some((r) => r.template === failing)) return undefined;
  const candidates = later.filter((r) => !isProbe(r.template));
  const purposes = purposeWords(failing);
  const samePurpose = candidates.find((r) => [...purposeWords(r.template)].some((w) => purposes.has(w)));
  if (samePurpose !== undefined) return samePurpose;
  const program = failing.split(' ')[0];
  return candidates.find((r) => r.template.split(' ')[0] === program);
}

/** The key of a failure -> fix lesson: the same for every agent and session that learned it. */
export function fixKey(failing: string, fixing: string): string {
  return `fix:${failing} -> ${fixing}`;
}

/** The rule line of a failure -> fix lesson. */
export function fixText(failing: string, fixing: string): string {
  return `Use \`${fixing}\`, not \`${failing}\`.`;
}

/** The key and rule line of a call that failed the same way three times or more in a session. */
export function loopKey(template: string): string {
  return `loop:${template}`;
}

export function loopText(template: string): string {
  return `Do not retry \`${template}\` unchanged when it fails: read the error and change the approach.`;
}
