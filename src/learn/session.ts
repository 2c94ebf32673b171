import type { SessionEvent } from '../agents/events.js';
import type { Sighting } from './cluster.js';
import { commandKey } from './commands.js';
import { correctionKey, correctionRuleText, isCorrection, mentions, mentionsProgram, quoteCommands } from './corrections.js';
import { LOOP_COUNT, LoopCounter, outputTokens, resultFailure, type FailureKind } from './failures.js';
import { FIX_WINDOW, fixKey, fixText, loopKey, loopText, pickFix, type Ran } from './fixes.js';
import type { Evidence } from './types.js';

type CallEvent = Extract<SessionEvent, { kind: 'call' }>;

interface SessionFailure {
  kind: FailureKind;
  index: number;
  call?: CallEvent;
  template?: string;
  at: SessionEvent;
  tokens: number;
  /** Its tokens went into a lesson already (a fix and a correction of the same failure count them once). */
  counted: boolean;
  resolved: boolean;
  /** Shell calls that worked after it, within FIX_WINDOW. */
  later: Ran[];
}

interface PendingCorrection {
  index: number;
  at: SessionEvent;
  quote: string;
  failing?: SessionFailure;
  /** The failing command is named in the user's words (not only the last thing that failed). */
  named: boolean;
  fixing?: Ran;
}

/** Calls awaiting their result, failures and corrections kept per session: small and bounded. */
const CALLS_KEPT = 64;
const FAILURES_KEPT = 8;
/** A user message counts as a correction only this many calls after a failure at most. */
const TROUBLE_WINDOW = 6;

/**
 * The miner's state for one session: a window of recent calls and failures. It reports each lesson
 * sighting through `emit` as soon as the window has moved past it, so nothing grows with the session.
 */
export class SessionMiner {
  private readonly calls = new Map<string, CallEvent>();
  private lastCall: CallEvent | undefined;
  private index = 0;
  private readonly failures: SessionFailure[] = [];
  private readonly corrections: PendingCorrection[] = [];
  private readonly loops = new LoopCounter();

  constructor(private readonly emit: (s: Sighting) => void) {}

  add(event: SessionEvent): void {
    switch (event.kind) {
      case 'call':
        this.calls.set(event.id, event);
        if (this.calls.size > CALLS_KEPT) this.calls.delete(this.calls.keys().next().value as string);
        this.lastCall = event;
        return;
      case 'result':
        return this.result(event);
      case 'rejection': {
        const call = (event.id !== undefined ? this.calls.get(event.id) : undefined) ?? this.lastCall;
        this.fail('rejection', call, event, 0);
        if (event.feedback !== undefined && event.feedback.trim() !== '') this.user(event.feedback, event);
        return;
      }
      case 'interrupt':
        this.fail('interrupt', this.lastCall, event, 0);
        return;
      case 'user':
        this.user(event.text, event);
        return;
      case 'rewind':
        // What followed the rewind point is replaced: settle what was seen, start the window afresh.
        this.finish();
        return;
      default: {
        const never: never = event;
        return never;
      }
    }
  }

  /** Settles every pending failure and correction (the session ended, or is being evicted). */
  finish(): void {
    for (const c of this.corrections.splice(0)) this.settleCorrection(c);
    for (const f of this.failures) if (!f.resolved) this.settleFailure(f);
    this.failures.length = 0;
  }

  private result(event: Extract<SessionEvent, { kind: 'result' }>): void {
    const call = this.calls.get(event.id);
    this.calls.delete(event.id);
    this.index++;
    const failed = resultFailure(event);
    if (failed !== undefined) {
      this.fail(failed, call, event, outputTokens(event));
    } else if (call?.command !== undefined) {
      const template = commandKey(call.command);
      if (template !== undefined) this.succeeded({ index: this.index, command: call.command, template });
    }
    this.advance();
  }

  private fail(kind: FailureKind, call: CallEvent | undefined, at: SessionEvent, tokens: number): void {
    // A rejected call may also come back as an error result: one failure, not two. (Ids are
    // compared by the call itself: some agents reuse call ids in a continued session.)
    const same = call === undefined ? undefined : this.failures.find((f) => f.call === call);
    if (same !== undefined) {
      same.tokens += tokens;
      return;
    }
    const template = call?.command === undefined ? undefined : commandKey(call.command);
    const failure: SessionFailure = { kind, index: this.index, call, template, at, tokens, counted: false, resolved: false, later: [] };
    this.failures.push(failure);
    if (template !== undefined && kind !== 'interrupt') {
      const loop = this.loops.add(template, tokens);
      if (loop.count === LOOP_COUNT) {
        this.emit({ key: loopKey(template), kind: 'loop', text: loopText(template), wastedTokens: loop.tokens, evidence: evidence(at, call?.command) });
      }
    }
  }

  private succeeded(ran: Ran): void {
    for (const f of this.failures) if (!f.resolved && ran.index - f.index <= FIX_WINDOW) f.later.push(ran);
    for (const c of this.corrections) {
      if (c.fixing !== undefined || ran.template === c.failing?.template) continue;
      if (mentions(c.quote, ran.template) || mentionsProgram(c.quote, ran.template)) c.fixing = ran;
    }
  }

  /** Settles what the window has moved past and forgets old failures. */
  private advance(): void {
    while (this.corrections.length > 0 && this.index - (this.corrections[0] as PendingCorrection).index >= FIX_WINDOW) {
      this.settleCorrection(this.corrections.shift() as PendingCorrection);
    }
    for (const f of this.failures) if (!f.resolved && this.index - f.index >= FIX_WINDOW) this.settleFailure(f);
    while (this.failures.length > FAILURES_KEPT && (this.failures[0] as SessionFailure).resolved) this.failures.shift();
  }

  private user(text: string, at: SessionEvent): void {
    const recent = this.failures.filter((f) => this.index - f.index <= TROUBLE_WINDOW);
    if (recent.length === 0 || !isCorrection(text)) return;
    const named = [...recent].reverse().find((f) => f.template !== undefined && mentions(text, f.template));
    const failing = named ?? [...recent].reverse().find((f) => f.template !== undefined);
    this.corrections.push({ index: this.index, at, quote: text, failing, named: named !== undefined });
  }

  private settleFailure(f: SessionFailure): void {
    f.resolved = true;
    if (f.template === undefined || f.call?.command === undefined || f.kind === 'interrupt') return;
    const fix = pickFix(f.template, f.later);
    if (fix === undefined) return;
    this.emit({
      key: fixKey(f.template, fix.template),
      kind: 'fix',
      text: fixText(f.template, fix.template),
      wastedTokens: take(f),
      evidence: evidence(f.at, f.call.command, fix.command),
    });
  }

  private settleCorrection(c: PendingCorrection): void {
    const failing = c.failing?.template;
    const fixing = c.fixing?.template;
    let key: string;
    const shown: string[] = [];
    if (failing !== undefined && fixing !== undefined) {
      key = fixKey(failing, fixing);
      shown.push(failing, fixing);
    } else if (failing !== undefined && c.named) {
      key = `avoid:${failing}`;
      shown.push(failing);
    } else {
      key = correctionKey(c.quote);
    }
    const linked = c.named || fixing !== undefined;
    this.emit({
      key,
      kind: 'correction',
      text: quoteCommands(correctionRuleText(c.quote), shown),
      wastedTokens: linked && c.failing !== undefined ? take(c.failing) : 0,
      evidence: { ...evidence(c.at, linked ? c.failing?.call?.command : undefined, c.fixing?.command), quote: c.quote },
    });
  }
}

function take(f: SessionFailure): number {
  if (f.counted) return 0;
  f.counted = true;
  return f.tokens;
}

function evidence(at: SessionEvent, failing?: string, fixing?: string): Evidence {
  const e: Evidence = { agent: at.agent, session: at.session, file: at.file, line: at.line };
  if (at.time !== undefined) e.time = at.time;
  if (failing !== undefined) e.failing = failing;
  if (fixing !== undefined) e.fixing = fixing;
  return e;
}
