import { VtParser, type VtHandler } from './vt-parser.js';

/**
 * Follows the agent's cursor through its output, as a terminal of the agent's size moves it:
 * printing (with autowrap and wide characters), line feeds and scrolling inside the scroll
 * region, cursor movement, saved cursors, the alternate screen's saved cursor, resets. The
 * screen's content is not kept, only where the cursor is; headroom needs that when the
 * terminal is resized, because terminals drop the rows below the cursor first and the status
 * row is one of them (see resizeSequence in screen.ts).
 *
 * The row is `undefined` until something fixes it (an absolute move, a region set, a reset,
 * or the terminal's own answer to a cursor position query, `at`); relative moves keep it
 * unknown. The agent's own cursor position queries are counted, so that headroom can tell
 * the terminal's answers to them from the answer to its own (see cursor-report.ts).
 */
export class CursorTracker implements VtHandler {
  /** 0-based row, undefined while unknown. */
  row: number | undefined;
  col = 0;
  /** Cursor position queries (CSI 6 n) the agent has written. */
  queries = 0;
  private pendingWrap = false;
  private top = 0;
  private bottom: number;
  private autowrap = true;
  private origin = false;
  /** DECSC's slot, one per screen (normal, alternate), as in xterm. */
  private saved: [Saved | undefined, Saved | undefined] = [undefined, undefined];
  private alt = 0;
  private lastWidth = 0;
  private readonly parser = new VtParser(this);

  constructor(
    private rows: number,
    private cols: number,
  ) {
    this.bottom = rows - 1;
  }

  /** The agent's terminal has a new size; terminals reset the scroll region then, and the row is unknown. */
  resize(rows: number, cols: number): void {
    this.rows = Math.max(1, rows);
    this.cols = Math.max(1, cols);
    this.top = 0;
    this.bottom = this.rows - 1;
    this.row = undefined;
    this.col = Math.min(this.col, this.cols - 1);
    this.pendingWrap = false;
  }

  /** The terminal says where the cursor is (0-based, in the agent's rows). */
  at(row: number, col: number): void {
    this.row = clamp(row, 0, this.rows - 1);
    this.col = clamp(col, 0, this.cols - 1);
    this.pendingWrap = false;
  }

  /** Follows one chunk of the agent's output, as written to the terminal. */
  feed(chunk: Buffer): void {
    this.parser.feed(chunk);
  }

  print(width: number): void {
    if (width === 0) return;
    this.lastWidth = width;
    if (this.pendingWrap && this.autowrap) {
      this.col = 0;
      this.lineFeed();
    }
    this.pendingWrap = false;
    if (this.col + width > this.cols) {
      if (this.autowrap) {
        this.col = 0;
        this.lineFeed();
      } else this.col = Math.max(0, this.cols - width);
    }
    this.col += width;
    if (this.col >= this.cols) {
      // Past the last column: the next character wraps (with autowrap on by then) or overwrites it.
      this.col = this.cols - 1;
      this.pendingWrap = true;
    }
  }

  printAscii(count: number): void {
    this.print(1);
    const k = count - 1;
    if (k === 0) return;
    if (!this.autowrap) {
      if (this.pendingWrap) return; // each one overwrites the last column
      this.col += k;
      if (this.col >= this.cols) {
        this.col = this.cols - 1;
        this.pendingWrap = true;
      }
      return;
    }
    // With autowrap: the index (from the line's start) past the last character, and the wraps on the way.
    const end = (this.pendingWrap ? this.cols : this.col) + k;
    for (let wraps = Math.min(Math.floor((end - 1) / this.cols), this.rows); wraps > 0; wraps--) this.lineFeed();
    const last = (end - 1) % this.cols;
    this.pendingWrap = last === this.cols - 1;
    this.col = this.pendingWrap ? last : last + 1;
  }

  control(b: number): void {
    switch (b) {
      case 0x0a:
      case 0x0b:
      case 0x0c:
        this.lineFeed();
        break;
      case 0x0d:
        this.col = 0;
        break;
      case 0x08:
        if (this.col > 0) this.col--;
        break;
      case 0x09:
        if (this.pendingWrap) return;
        this.col = Math.min(this.cols - 1, (Math.floor(this.col / 8) + 1) * 8);
        break;
      default:
        return;
    }
    this.pendingWrap = false;
  }

  escape(intermediates: string, b: number): void {
    if (intermediates === '#' && b === 0x38) this.moveTo(0, 0); // DECALN homes the cursor
    if (intermediates !== '') return;
    switch (b) {
      case 0x37: // DECSC
        this.saved[this.alt] = this.save();
        break;
      case 0x38: // DECRC
        this.restore(this.saved[this.alt]);
        break;
      case 0x44: // IND
        this.lineFeed();
        this.pendingWrap = false;
        break;
      case 0x45: // NEL
        this.col = 0;
        this.lineFeed();
        this.pendingWrap = false;
        break;
      case 0x4d: // RI
        if (this.row !== undefined && this.row !== this.top && this.row > 0) this.row--;
        this.pendingWrap = false;
        break;
      case 0x63: // RIS
        this.autowrap = true;
        this.origin = false;
        this.top = 0;
        this.bottom = this.rows - 1;
        this.saved = [undefined, undefined];
        this.alt = 0;
        this.moveTo(0, 0);
        break;
    }
  }

  csi(prefix: string, params: string, intermediates: string, final: string): void {
    if (intermediates !== '') {
      if (intermediates === '!' && final === 'p' && prefix === '') {
        // DECSTR: margins, origin mode, autowrap and the saved cursor go back to their defaults; the cursor stays.
        this.autowrap = true;
        this.top = 0;
        this.bottom = this.rows - 1;
        this.origin = false;
        this.saved[this.alt] = undefined;
      }
      return;
    }
    if (final === 'm') return; // colours, by far the most frequent
    if (prefix === '?') {
      if (final === 'h' || final === 'l') for (const m of params.split(';')) this.privateMode(Number(m), final === 'h');
      return;
    }
    if (prefix !== '') return;
    const p = params === '' ? [] : params.split(';');
    const n = (i: number, dflt = 1): number => {
      const v = Number(p[i] ?? '');
      return p[i] === undefined || p[i] === '' || !Number.isFinite(v) || v === 0 ? dflt : v;
    };
    const row = this.row;
    switch (final) {
      case 'A':
        this.vertical(-n(0));
        break;
      case 'B':
        this.vertical(n(0));
        break;
      case 'e': // VPR moves as an absolute move would, past the margins
        if (row !== undefined) this.moveTo(row - (this.origin ? this.top : 0) + n(0), this.col);
        break;
      case 'C':
      case 'a':
        this.col = Math.min(this.cols - 1, this.col + n(0));
        break;
      case 'D':
        this.col = Math.max(0, this.col - n(0));
        break;
      case 'E':
        this.vertical(n(0));
        this.col = 0;
        break;
      case 'F':
        this.vertical(-n(0));
        this.col = 0;
        break;
      case 'G':
      case '`':
        this.col = clamp(n(0) - 1, 0, this.cols - 1);
        break;
      case 'H':
      case 'f':
        this.moveTo(n(0) - 1, n(1) - 1);
        break;
      case 'd':
        this.moveTo(n(0) - 1, this.col);
        break;
      case 'r':
        this.setRegion(n(0) - 1, n(1, this.rows) - 1);
        return;
      case 's':
        if (params === '') this.saved[this.alt] = this.save();
        return;
      case 'u':
        if (params === '') this.restore(this.saved[this.alt]);
        return;
      case '@':
      case 'P':
      case 'X':
        break; // inserting, deleting or erasing characters ends a wait to wrap
      case 'L':
      case 'M':
        if (row === undefined || row < this.top || row > this.bottom) return;
        this.col = 0;
        break;
      case 'I':
        if (this.pendingWrap) return; // xterm leaves a cursor waiting to wrap where it is
        for (let k = n(0); k > 0; k--) this.col = Math.min(this.cols - 1, (Math.floor(this.col / 8) + 1) * 8);
        break;
      case 'Z':
        if (this.pendingWrap) return;
        for (let k = n(0); k > 0; k--) this.col = Math.max(0, (Math.ceil(this.col / 8) - 1) * 8);
        break;
      case 'b': // REP: the last printed character again
        for (let k = this.lastWidth === 0 ? 0 : Math.min(n(0), this.rows * this.cols); k > 0; k--) this.print(this.lastWidth);
        return;
      case 'n':
        if (params === '6') this.queries++;
        return;
      default:
        return;
    }
    this.pendingWrap = false;
  }

  private privateMode(mode: number, on: boolean): void {
    if (mode === 7) this.autowrap = on;
    else if (mode === 6) {
      this.origin = on;
      this.moveTo(0, 0);
    } else if (mode === 1048) {
      if (on) this.saved[this.alt] = this.save();
      else this.restore(this.saved[this.alt]);
    } else if (mode === 1049) {
      // Saves the cursor in the normal screen's slot on entering the alternate screen, restores it on leaving.
      if (on) {
        this.saved[this.alt] = this.save();
        this.alt = 1;
      } else {
        this.alt = 0;
        this.restore(this.saved[0]);
      }
    } else if (mode === 47 || mode === 1047) {
      this.alt = on ? 1 : 0;
    }
  }

  private lineFeed(): void {
    if (this.row === undefined) return;
    if (this.row === this.bottom) return; // scrolls the region
    if (this.row < this.rows - 1) this.row++;
  }

  /** CUU/CUD: inside the region they stop at its margins, outside at the screen's edges. */
  private vertical(delta: number): void {
    if (this.row === undefined) return;
    if (delta < 0) this.row = Math.max(this.row >= this.top ? this.top : 0, this.row + delta);
    else this.row = Math.min(this.row <= this.bottom ? this.bottom : this.rows - 1, this.row + delta);
  }

  private moveTo(row: number, col: number): void {
    const base = this.origin ? this.top : 0;
    const last = this.origin ? this.bottom : this.rows - 1;
    this.row = clamp(base + row, base, last);
    this.col = clamp(col, 0, this.cols - 1);
    this.pendingWrap = false;
  }

  private setRegion(top: number, bottom: number): void {
    const b = Math.min(bottom, this.rows - 1);
    if (top < 0 || top >= b) return;
    this.top = top;
    this.bottom = b;
    this.moveTo(0, 0);
  }

  private save(): Saved {
    return { row: this.row, col: this.col, origin: this.origin };
  }

  private restore(s: Saved | undefined): void {
    if (!s) {
      this.moveTo(0, 0);
      return;
    }
    this.row = s.row === undefined ? undefined : Math.min(s.row, this.rows - 1);
    this.col = Math.min(s.col, this.cols - 1);
    this.pendingWrap = false;
    this.origin = s.origin;
  }
}

interface Saved {
  row: number | undefined;
  col: number;
  origin: boolean;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
