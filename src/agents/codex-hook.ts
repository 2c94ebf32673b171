import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { shellQuote, simpleCommands, withoutAssignments } from './shell-commands.js';
import { leaveAlone } from '../exec/source-hook.js';
import { inHome } from './env.js';
import { isObject, str, type Json } from './transcript.js';

/**
 * Codex CLI's per-session source compression. Codex cuts an exec output to about 10,000 bytes
 * (head and tail) before the model sees it, and its output hook only sees what is left, so the
 * command itself is rewritten before it runs: a PreToolUse hook (given with `-c` for this run
 * only, with its trust entry) answers "allow" with the command wrapped in `headroom exec`, which
 * prints the output compressed for the latest prompt and under Codex's cut.
 *
 * "allow" must never let a command run that Codex would have stopped. The rewritten command still
 * runs under Codex's sandbox and approval policy, but Codex checks its command rules and its
 * dangerous-command guard on the rewritten text, which hides the original. So the hook rewrites
 * only when Codex asks the user about nothing (`permission_mode` "bypassPermissions", Codex's
 * name for approval policy `never`), only commands without a forced `rm`, and only commands that
 * none of the user's execpolicy rules mention (checked with `codex execpolicy check` on every
 * simple command in the line). Anything else is left for Codex to decide as it would without headroom.
 */

/** Codex cuts an output longer than about 10,000 bytes; the compressed one stays under this. */
export const CODEX_EXEC_MAX_CHARS = 9_000;

const TIMEOUT_S = 30;

/** The `-c` overrides that give Codex one trusted PreToolUse hook on its shell tool running `command`. */
export function codexHookOverrides(command: string): string[] {
  const hooks = `hooks.PreToolUse=[{matcher="Bash",hooks=[{type="command",command=${JSON.stringify(command)},timeout=${TIMEOUT_S}}]}]`;
  // Codex skips a hook it has no trust entry for; a -c layer's hooks are keyed by this pseudo-path.
  const state = `hooks.state={"/<session-flags>/config.toml:pre_tool_use:0:0"={trusted_hash="sha256:${codexHookHash(command)}"}}`;
  return ['-c', hooks, '-c', state];
}

/** The hash Codex trusts a hook by: sha256 of its normalised definition as compact JSON. */
function codexHookHash(command: string): string {
  const identity = { event_name: 'pre_tool_use', hooks: [{ async: false, command, timeout: TIMEOUT_S, type: 'command' }], matcher: 'Bash' };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** The launcher a rewritten command runs: `headroom` with the output limit for Codex. */
export function codexLauncherScript(node: string, cli: string): string {
  return `#!/bin/sh\nHEADROOM_EXEC_MAX_CHARS=${CODEX_EXEC_MAX_CHARS} HEADROOM_EXEC_ATTACH_TTY=1 exec ${shellQuote(node)} ${shellQuote(cli)} "$@"\n`;
}

export interface CodexShellCall {
  command: string;
  /** Codex's approval mode for this call: "bypassPermissions" when it asks about nothing. */
  permissionMode: string;
  cwd: string;
}

/** The shell call in a PreToolUse hook input, or undefined for anything else. */
export function codexShellCall(input: unknown): CodexShellCall | undefined {
  if (!isObject(input) || input.hook_event_name !== 'PreToolUse' || input.tool_name !== 'Bash') return undefined;
  const command = isObject(input.tool_input) ? str(input.tool_input.command) : undefined;
  if (!command) return undefined;
  return { command, permissionMode: str(input.permission_mode) ?? '', cwd: str(input.cwd) ?? process.cwd() };
}

/**
 * The command to run instead: wrapped in `headroom exec`, or, for a command that already runs
 * `headroom`, the same command with this session's launcher (Codex's login shell resets PATH).
 * Undefined: leave it as the model wrote it.
 */
export function rewriteCommand(command: string, launcher: string): string | undefined {
  if (leaveAlone(command)) {
    const m = /^\s*headroom(\s+(?:exec|retrieve)\b[\s\S]*)$/.exec(command);
    return m ? `${shellQuote(launcher)}${m[1]}` : undefined;
  }
  return `${shellQuote(launcher)} exec -- ${shellQuote(command)}`;
}

/** Codex refuses a forced `rm` under approval policy `never`; a rewrite would hide it, so any `rm` is left alone. */
function codexWouldRefuse(command: string): boolean {
  return /(^|[^\w.-])rm\b/.test(command);
}

/**
 * `headroom hook codex-pre-tool-use`: "allow" with the rewritten command, or undefined to leave the
 * call to Codex as it is.
 */
export async function codexPreToolUse(input: unknown, env: NodeJS.ProcessEnv): Promise<Json | undefined> {
  const call = codexShellCall(input);
  const launcher = env.HEADROOM_CODEX_LAUNCHER;
  if (!call || !launcher || call.permissionMode !== 'bypassPermissions') return undefined;
  if (codexWouldRefuse(call.command)) return undefined;
  const command = rewriteCommand(call.command, launcher);
  if (!command || !rulesSayNothing(call.command, codexRulesFiles(env, call.cwd), env)) return undefined;
  return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow', updatedInput: { command } } };
}

/**
 * The execpolicy rules files Codex may load: the user's ($CODEX_HOME/rules), the system's
 * (/etc/codex/rules) and every project's `.codex/rules` from the working directory up.
 */
export function codexRulesFiles(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const dirs = [join(env.CODEX_HOME || inHome(env, '.codex'), 'rules'), '/etc/codex/rules'];
  for (let d = cwd; ; d = dirname(d)) {
    dirs.push(join(d, '.codex', 'rules'));
    if (dirname(d) === d) break;
  }
  const files: string[] = [];
  for (const dir of dirs) {
    try {
      for (const f of readdirSync(dir)) if (f.endsWith('.rules')) files.push(join(dir, f));
    } catch {
      // no such folder
    }
  }
  return files;
}

/** At most this many checks per command line; a longer one is left alone. */
const MAX_CHECKS = 16;

/**
 * Whether no rule in `files` matches the command: the whole line as Codex runs it, and each
 * simple command in it (also without leading assignments, and by its program's base name).
 * Anything that cannot be checked (no `codex` on PATH, a script this reader cannot follow, a
 * failed check, managed requirements with rules) counts as a match.
 */
export function rulesSayNothing(command: string, files: string[], env: NodeJS.ProcessEnv): boolean {
  if (managedRules()) return false;
  if (files.length === 0) return true;
  const commands = simpleCommands(command);
  const codex = onPath('codex', env.PATH);
  if (!commands || !codex) return false;
  const checks = new Map<string, string[]>();
  const add = (words: string[]): void => void (words.length > 0 && checks.set(JSON.stringify(words), words));
  add(['bash', '-lc', command]);
  for (const words of commands) {
    const bare = withoutAssignments(words);
    for (const w of [words, bare, [bare[0]!.replace(/^.*\//, ''), ...bare.slice(1)]]) add(w);
  }
  if (checks.size > MAX_CHECKS) return false;
  const rules = files.flatMap((f) => ['--rules', f]);
  for (const words of checks.values()) {
    const r = spawnSync(codex, ['execpolicy', 'check', ...rules, '--', ...words], { env, encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) return false;
    try {
      const out = JSON.parse(r.stdout) as { matchedRules?: unknown[]; decision?: string };
      if (out.decision !== undefined || (out.matchedRules?.length ?? 0) > 0) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Rules an administrator set in Codex's managed requirements, which no `.rules` file shows. */
function managedRules(): boolean {
  try {
    return /rules/.test(readFileSync('/etc/codex/requirements.toml', 'utf8'));
  } catch {
    return false;
  }
}

function onPath(program: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      if (existsSync(file)) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
