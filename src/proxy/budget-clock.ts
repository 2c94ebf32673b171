import { setMaxListeners } from 'node:events';

/** Milliseconds a request's tool outputs may spend compressing before the rest go as they are. */
export const DEFAULT_BUDGET_MS = 2000;

/** Longest delay a timer keeps (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A time budget whose clock starts when work on it starts (not while the work waits for a
 * thread); its signal aborts when the budget runs out. An infinite budget never does.
 */
export class BudgetClock {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly ms: number) {
    // Every output of a request listens to its one clock: dozens is normal, not a leak.
    setMaxListeners(0, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts the clock; later calls do nothing. */
  readonly start = (): void => {
    if (this.timer !== undefined || this.stopped || !Number.isFinite(this.ms)) return;
    this.timer = setTimeout(() => this.controller.abort(), Math.min(MAX_TIMER_MS, Math.max(0, this.ms)));
  };

  /** The work is done: the budget can no longer run out. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
