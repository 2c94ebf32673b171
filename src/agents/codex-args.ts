/**
 * What a Codex CLI command line says about how commands will run: the approval policy and the
 * sandbox, from the flags and `-c` overrides the user gave (the layer that wins over every
 * config.toml). Only the command line is read: a setting that lives in a config file counts as
 * unknown.
 */
export interface CodexRunMode {
  /** `exec` (or `e`): non-interactive; Codex never asks for approval there. */
  exec: boolean;
  /** The approval policy named on the command line, if any. */
  approval?: string;
  /** The sandbox mode named on the command line, if any. */
  sandbox?: string;
  /** Flags that change how approvals are decided (`--approve-for-me`). */
  reviewer: boolean;
  /** `-c` overrides of `hooks...`: the user's own hooks for this run. */
  ownHooks: boolean;
}

/** Options that take a value as the next argument (top level and `exec`). */
const WITH_VALUE = new Set([
  '-c', '--config', '--enable', '--disable', '-i', '--image', '-m', '--model', '--local-provider', '-p', '--profile',
  '-s', '--sandbox', '-C', '--cd', '--add-dir', '-a', '--ask-for-approval', '--remote', '--remote-auth-token-env',
  '--thread-source', '--cyber-access-program', '--output-schema', '--color', '-o', '--output-last-message',
]);

export function codexRunMode(args: readonly string[]): CodexRunMode {
  const mode: CodexRunMode = { exec: false, reviewer: false, ownHooks: false };
  let positional = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const short = /^-[a-zA-Z]./.test(a) && !a.startsWith('--') ? [a.slice(0, 2), a.slice(2)] : undefined;
    const name = short && WITH_VALUE.has(short[0]!) ? short[0]! : flag;
    const value = short && WITH_VALUE.has(short[0]!) ? short[1] : (inline ?? (WITH_VALUE.has(flag) ? args[++i] : undefined));
    if (name === '--dangerously-bypass-approvals-and-sandbox' || name === '--yolo') {
      mode.approval = 'never';
      mode.sandbox = 'danger-full-access';
    } else if (name === '--approve-for-me') {
      mode.reviewer = true;
    } else if (name === '-a' || name === '--ask-for-approval') {
      mode.approval = value;
    } else if (name === '-s' || name === '--sandbox') {
      mode.sandbox = value;
    } else if (name === '-c' || name === '--config') {
      configOverride(value ?? '', mode);
    } else if (!a.startsWith('-') && !WITH_VALUE.has(flag)) {
      if (positional++ === 0 && (a === 'exec' || a === 'e')) mode.exec = true;
    }
  }
  return mode;
}

/** Reads `approval_policy=...`, `sandbox_mode=...` and `hooks...` from one `-c key=value`. */
function configOverride(kv: string, mode: CodexRunMode): void {
  const eq = kv.indexOf('=');
  const key = (eq < 0 ? kv : kv.slice(0, eq)).trim();
  // A TOML string, or the raw text (Codex takes a value that is not TOML as a literal string).
  const raw = eq < 0 ? '' : kv.slice(eq + 1).trim();
  const value = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw;
  if (key === 'approval_policy') mode.approval = value;
  else if (key === 'sandbox_mode') mode.sandbox = value;
  else if (key === 'hooks' || key.startsWith('hooks.')) mode.ownHooks = true;
}

/**
 * Why the per-session command hook must not be installed for this command line, or undefined when
 * it may. Only for `codex exec`: interactive Codex shows each command it ran, rewritten ones too.
 * The hook answers "allow" with a rewritten command, so it is installed only where Codex would
 * ask the user about nothing (approval policy `never`: `codex exec`'s default, `-a never`, or
 * `--dangerously-bypass-approvals-and-sandbox`), and where headroom can keep the whole output
 * (sandbox `danger-full-access`: Codex's other sandboxes keep it from writing its store).
 */
export function codexHookRefusal(args: readonly string[]): string | undefined {
  const m = codexRunMode(args);
  // Codex's own screen shows each command it ran: a rewritten one would show there as `headroom exec ...`.
  if (!m.exec) return "interactive Codex shows the commands it runs, and the hook's rewrite would show there; codex exec gets it";
  if (m.ownHooks) return 'you passed your own hooks with -c';
  if (m.reviewer) return '--approve-for-me routes approvals through a reviewer';
  const approval = m.approval ?? (m.exec ? 'never' : undefined);
  if (approval !== 'never') {
    return 'Codex may ask you before running a command; pass -a never with -s danger-full-access to compress at the source';
  }
  if (m.sandbox !== 'danger-full-access') {
    return "Codex's sandbox keeps headroom from storing whole outputs; pass -s danger-full-access to compress at the source";
  }
  return undefined;
}
