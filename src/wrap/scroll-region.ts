/**
 * Keeps a status line on the terminal's last row while an agent owns the rows above it.
 *
 * Technique: a scroll region. The agent's PTY is one row shorter than the terminal, the
 * terminal's scroll region (DECSTBM) is set to the agent's rows, and the status line is drawn
 * on the last row between two chunks of agent output. The agent's bytes reach the terminal
 * unchanged except one case: a DECSTBM that resets the region to the full screen is bounded
 * to the agent's rows. The output is scanned (not emulated) to know:
 * - whether a chunk ended inside an escape sequence or a UTF-8 character (never draw then),
 * - which sequences wipe the status line or the region (erase display, full reset, soft
 *   reset, alternate screen switch): the region is set again and the line redrawn,
 * - whether the agent has a saved cursor (DECSC) outstanding or a synchronized update open:
 *   drawing saves and restores the cursor itself, so it waits for those to close,
 * - the modes the agent turned on (alternate screen, mouse, bracketed paste, focus events,
 *   kitty keyboard flags, hidden cursor), so they can be turned off if it dies without.
 */

const ESC = 0x1b;

const enum State {
  Ground,
  Escape,
  EscapeIntermediate,
  Csi,
  /** OSC, DCS, APC, PM, SOS: a string ended by BEL (OSC only) or ST (ESC \). */
  String,
  StringEscape,
}

/** Private modes (CSI ? n h) that must be switched off again when the agent leaves them on. */
const RESTORABLE_MODES = new Set([1, 9, 47, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1015, 1016, 1047, 1049, 2004, 2026]);
const ALT_SCREEN_MODES = new Set([47, 1047, 1049]);

export interface ScanResult {
  /** The bytes to write: the chunk itself, or a copy with full-screen DECSTBMs bounded. */
  out: Buffer;
  /** The status line was wiped or the scroll region reset by this chunk. */
  wiped: boolean;
}

export class ScrollRegionGuard {
  private state = State.Ground;
  private csi = '';
  private utf8Pending = 0;
  private savedCursor = false;
  /**
   * A cursor the agent saved on the main screen before switching to the alternate one. Terminals
   * keep one saved cursor per screen, so it does not hold drawing back on the alternate screen
   * (opencode saves one just before entering it and never restores it); it counts again once
   * the agent is back on the main screen.
   */
  private savedOnMain = false;
  private readonly modes = new Set<number>();
  private cursorHidden = false;
  private kittyPushes = 0;
  private autowrapOff = false;

  /** `agentRows`: rows the agent may use (the region is 1..agentRows); 0 disables the region. */
  constructor(public agentRows: number) {}

  /** Scans a chunk of agent output. */
  scan(chunk: Buffer): ScanResult {
    let wiped = false;
    let edits: Array<{ start: number; end: number; text: string }> | undefined;
    let csiStart = -1;
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === State.Ground) {
        const next = chunk.indexOf(ESC, i);
        if (next === -1) {
          this.trackUtf8(chunk, i, n);
          return this.finish(chunk, edits, wiped);
        }
        this.utf8Pending = 0;
        this.state = State.Escape;
        csiStart = next;
        i = next + 1;
        continue;
      }
      const b = chunk[i]!;
      switch (this.state) {
        case State.Escape:
          if (b === 0x5b) {
            this.state = State.Csi;
            this.csi = '';
          } else if (b === 0x5d || b === 0x50 || b === 0x5f || b === 0x5e || b === 0x58) {
            this.state = State.String;
          } else if (b >= 0x20 && b <= 0x2f) {
            this.state = State.EscapeIntermediate;
          } else {
            this.state = State.Ground;
            if (b === 0x37) this.savedCursor = true; // DECSC
            else if (b === 0x38) this.savedCursor = false; // DECRC
            else if (b === 0x63) {
              // RIS: the terminal forgets every mode and the region.
              this.resetTracking();
              wiped = true;
            }
          }
          break;
        case State.EscapeIntermediate:
          if (b < 0x20 || b > 0x2f) this.state = State.Ground;
          break;
        case State.Csi:
          if (b >= 0x40 && b <= 0x7e) {
            this.state = State.Ground;
            const action = this.onCsi(this.csi, String.fromCharCode(b));
            if (action === 'wiped') wiped = true;
            else if (action !== undefined) {
              // A sequence begun in an earlier chunk was written already: CAN aborts it first.
              (edits ??= []).push(csiStart >= 0 ? { start: csiStart, end: i + 1, text: action } : { start: 0, end: i + 1, text: `\x18${action}` });
            }
          } else if (b === 0x18 || b === 0x1a) {
            this.state = State.Ground; // CAN / SUB abort a sequence
          } else if (b === ESC) {
            this.state = State.Escape;
            csiStart = i;
          } else {
            this.csi += String.fromCharCode(b);
          }
          break;
        case State.String:
          if (b === 0x07) this.state = State.Ground;
          else if (b === ESC) this.state = State.StringEscape;
          break;
        case State.StringEscape:
          this.state = b === 0x5c ? State.Ground : State.String;
          break;
      }
      i++;
    }
    return this.finish(chunk, edits, wiped);
  }

  /** True when a draw may be slipped in now without tearing the agent's output. */
  get canDraw(): boolean {
    return this.state === State.Ground && this.utf8Pending === 0 && !this.savedCursor && !this.modes.has(2026);
  }

  /** Bytes that leave the terminal as the agent found it, whatever state the agent left it in. */
  restoreSequence(): string {
    let s = '';
    if (this.state !== State.Ground) s += this.state === State.String || this.state === State.StringEscape ? '\x1b\\' : '\x18';
    for (const m of [...this.modes].sort((a, b) => b - a)) {
      if (ALT_SCREEN_MODES.has(m) && m !== 1049 && this.modes.has(1049)) continue;
      s += `\x1b[?${m}l`;
    }
    if (this.kittyPushes > 0) s += `\x1b[<${this.kittyPushes}u`;
    if (this.autowrapOff) s += '\x1b[?7h';
    if (this.cursorHidden) s += '\x1b[?25h';
    return `${s}\x1b[0m`;
  }

  private finish(chunk: Buffer, edits: Array<{ start: number; end: number; text: string }> | undefined, wiped: boolean): ScanResult {
    if (!edits) return { out: chunk, wiped };
    const parts: Buffer[] = [];
    let at = 0;
    for (const e of edits) {
      parts.push(chunk.subarray(at, e.start), Buffer.from(e.text, 'latin1'));
      at = e.end;
    }
    parts.push(chunk.subarray(at));
    return { out: Buffer.concat(parts), wiped };
  }

  /** Bytes of an unfinished UTF-8 character at the end of chunk[from, to). */
  private trackUtf8(chunk: Buffer, from: number, to: number): void {
    this.utf8Pending = 0;
    for (let k = to - 1; k >= Math.max(from, to - 4); k--) {
      const c = chunk[k]!;
      if ((c & 0xc0) === 0x80) continue;
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      if (to - k < need) this.utf8Pending = need - (to - k);
      return;
    }
  }

  private resetTracking(): void {
    this.modes.clear();
    this.cursorHidden = false;
    this.kittyPushes = 0;
    this.autowrapOff = false;
    this.savedCursor = false;
    this.savedOnMain = false;
  }

  /** Returns 'wiped', replacement bytes for the sequence, or undefined. */
  private onCsi(params: string, final: string): string | 'wiped' | undefined {
    const first = params.charCodeAt(0);
    if (final === 'r' && /^[\d;]*$/.test(params)) return this.onSetRegion(params);
    if (final === 'J' && (params === '' || params === '0' || params === '2')) return 'wiped';
    if (final === 'p' && params === '!') {
      this.resetTracking(); // DECSTR: soft reset, margins included
      return 'wiped';
    }
    if (final === 's' && params === '') this.savedCursor = true;
    else if (final === 'u' && params === '') this.savedCursor = false;
    else if (final === 'u' && first === 0x3e) this.kittyPushes++;
    else if (final === 'u' && first === 0x3c) this.kittyPushes = Math.max(0, this.kittyPushes - (Number(params.slice(1)) || 1));
    else if ((final === 'h' || final === 'l') && first === 0x3f) {
      let altSwitch = false;
      const wasAlt = this.onAlternateScreen();
      for (const p of params.slice(1).split(';')) {
        const m = Number(p);
        if (m === 25) this.cursorHidden = final === 'l';
        else if (m === 7) this.autowrapOff = final === 'l';
        else if (RESTORABLE_MODES.has(m)) {
          if (final === 'h') this.modes.add(m);
          else this.modes.delete(m);
          if (ALT_SCREEN_MODES.has(m)) altSwitch = true;
        }
      }
      if (altSwitch) {
        this.switchedScreen(wasAlt);
        return 'wiped';
      }
    }
    return undefined;
  }

  private onAlternateScreen(): boolean {
    return [...ALT_SCREEN_MODES].some((m) => this.modes.has(m));
  }

  /** Keeps the saved cursor of the screen the agent left, and takes up the one of the screen it entered. */
  private switchedScreen(wasAlt: boolean): void {
    const isAlt = this.onAlternateScreen();
    if (!wasAlt && isAlt) {
      this.savedOnMain = this.savedCursor;
      this.savedCursor = false;
    } else if (wasAlt && !isAlt) {
      this.savedCursor = this.savedOnMain;
      this.savedOnMain = false;
    }
  }

  /** DECSTBM from the agent: a region reaching past its rows is bounded to them. */
  private onSetRegion(params: string): string | undefined {
    if (this.agentRows <= 0) return undefined;
    const [top = '', bottom = ''] = params.split(';');
    const b = Number(bottom) || 0;
    if (b >= 1 && b <= this.agentRows) return undefined;
    return `\x1b[${Number(top) || 1};${this.agentRows}r`;
  }
}

/** Sets the scroll region to the agent's rows without moving the cursor (DECSTBM homes it). */
export function regionSequence(agentRows: number): string {
  return `\x1b7\x1b[1;${agentRows}r\x1b8`;
}

/**
 * Lays out the screen for a status row under `agentRows` rows, wherever the cursor is (at
 * start and after a resize): the region is lifted, the cursor moved down and back up (IND at
 * the last row scrolls the screen, so the cursor's line is never the status row), what is
 * below the cursor is erased (a status line the terminal kept from before a resize), and the
 * region is set again. Full-screen agents redraw on the SIGWINCH that follows a resize.
 */
export function layoutSequence(agentRows: number): string {
  return `\x1b7\x1b[r\x1b8\x1bD\x1b[A\x1b[J${regionSequence(agentRows)}`;
}

/**
 * Lays the screen out again after the terminal changed height with the status row on before and
 * after, so that the agent's rows hold what a terminal one row shorter would hold; written
 * before the agent hears of the new size. `cursorRow` is the agent's cursor row (1-based)
 * before the resize, when known; `now` where the terminal says the cursor is after it.
 *
 * A shrinking terminal drops the rows below the cursor first and scrolls the rest into its
 * history; the status row is one of the rows below. When the cursor sat lower than the new
 * agent rows reach, the terminal dropped the status row where a terminal one row shorter would
 * have scrolled one more line into its history, so the agent's rows sit one row too low: the
 * screen is scrolled up one line, the cursor following its line. (Guessing this from where the
 * cursor is after the resize fails when the terminal rewraps lines for a new width too.) The
 * cursor is put back with an absolute move when `now` is known: terminals disagree on whether
 * a cursor saved before a scroll comes back to the same row or the same line.
 * A growing terminal keeps the old status line, now the row (rows below the cursor + 1) under
 * the cursor; only that row is erased, the agent's rows stay as they are.
 * Without the cursor row, the old guess: scroll if the cursor is on the last row, erase below it.
 */
export function resizeSequence(rowsBefore: number, rowsAfter: number, cursorRow: number | undefined, now?: { row: number; col: number }): string {
  const agentRows = rowsAfter - 1;
  if (cursorRow === undefined) return layoutSequence(agentRows);
  if (rowsAfter === rowsBefore) return regionSequence(agentRows);
  if (rowsAfter < rowsBefore) {
    if (!droppedStatusRow(rowsAfter, cursorRow)) return regionSequence(agentRows);
    const back = now ? `\x1b[${Math.max(1, now.row - 1)};${now.col}H` : '\x1b[A';
    return `\x1b7\x1b[r\x1b[${rowsAfter};1H\x1bD\x1b8${back}${regionSequence(agentRows)}`;
  }
  const below = rowsBefore - cursorRow;
  return `\x1b7\x1b[r\x1b8\x1b[${below}B\x1b[2K\x1b8${regionSequence(agentRows)}`;
}

/** A shrink to `rowsAfter` dropped the status row where a terminal one row shorter scrolled (see resizeSequence). */
export function droppedStatusRow(rowsAfter: number, cursorRow: number): boolean {
  return cursorRow > rowsAfter - 1;
}

/** Draws `text` (already fitted to the width) on `row`, leaving the cursor and colours as they were. */
export function statusSequence(row: number, text: string): string {
  return `\x1b7\x1b[${row};1H\x1b[0m\x1b[2K${text}\x1b[0m\x1b8`;
}

/** Clears `row` and gives the whole screen back to scrolling. */
export function releaseSequence(row: number): string {
  return `\x1b7\x1b[r\x1b[${row};1H\x1b[2K\x1b8`;
}
