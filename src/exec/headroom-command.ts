import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The shell command that runs this very installation of headroom (this Node, this cli.js),
 * whatever the agent's PATH: what an agent's source hooks and a wrapped session's `headroom`
 * launcher run.
 */
export function headroomCommand(): string {
  return `${quote(process.execPath)} ${quote(CLI)}`;
}
