/** Where the terminal says the cursor is: 1-based row and column. */
export interface CursorPosition {
  row: number;
  col: number;
}

/** The query: DSR 6 ("report cursor position"); the terminal answers ESC [ row ; col R on its input. */
export const CURSOR_QUERY = '\x1b[6n';

/** How long to wait for the terminal's answer before going on without it. */
const ANSWER_TIMEOUT_MS = 500;

const ANSWER = /\x1b\[(\d+);(\d+)R/g;

/**
 * headroom's own cursor position queries to the terminal, whose answers arrive in the keyboard
 * input. Answers come in the order of the queries, so the answers to queries the agent wrote
 * before headroom's (counted by the caller as they are written) go on to the agent, the next
 * one is headroom's and is taken out of the input. An answer that comes after its query timed
 * out is still taken out, so the agent never reads an answer to a question it did not ask.
 */
export class CursorReport {
  private waiting: { done: (p: CursorPosition | undefined) => void; timer: NodeJS.Timeout } | undefined;
  /** The agent's queries written to the terminal and not answered yet. */
  private agentQueries = 0;
  /** headroom's queries that timed out: their answers may still come. */
  private late = 0;

  /** True while headroom waits for an answer (the agent's output is held back meanwhile). */
  get pending(): boolean {
    return this.waiting !== undefined;
  }

  /** The agent wrote `n` more queries to the terminal. */
  agentAsked(n: number): void {
    this.agentQueries += n;
  }

  /**
   * Call right after writing CURSOR_QUERY: resolves with the answer, or undefined when the
   * terminal did not answer in time (or `cancel` was called).
   */
  asked(): Promise<CursorPosition | undefined> {
    this.cancel();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.late++;
        this.finish(undefined);
      }, ANSWER_TIMEOUT_MS);
      timer.unref();
      this.waiting = { done: resolve, timer };
    });
  }

  /** Stops waiting (the session is ending). */
  cancel(): void {
    this.finish(undefined);
  }

  /** Keyboard input from the terminal: returns what goes on to the agent (headroom's answers taken out). */
  input(data: Buffer): Buffer {
    if (this.waiting === undefined && this.agentQueries === 0 && this.late === 0) return data;
    const text = data.toString('latin1');
    let kept = '';
    let at = 0;
    for (const m of text.matchAll(ANSWER)) {
      if (this.agentQueries > 0) {
        this.agentQueries--;
        continue;
      }
      const mine = this.waiting !== undefined || this.late > 0;
      if (!mine) continue;
      kept += text.slice(at, m.index);
      at = m.index + m[0].length;
      if (this.waiting) this.finish({ row: Number(m[1]), col: Number(m[2]) });
      else this.late--;
    }
    if (at === 0) return data;
    return Buffer.from(kept + text.slice(at), 'latin1');
  }

  private finish(p: CursorPosition | undefined): void {
    const w = this.waiting;
    if (!w) return;
    this.waiting = undefined;
    clearTimeout(w.timer);
    w.done(p);
  }
}
