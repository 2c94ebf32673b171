import { charWidth } from './char-width.js';

/** What a VtParser reports as it reads a terminal output stream. */
export interface VtHandler {
  /** A printable character `width` columns wide (0: a combining mark, which does not move the cursor). */
  print(width: number): void;
  /** `count` printable ASCII characters in a row. */
  printAscii(count: number): void;
  /** A C0 control: LF, CR, BS, HT, ... (also when it comes inside an escape sequence, as terminals run it). */
  control(byte: number): void;
  /** ESC with `intermediates` (0x20-0x2f) and the final byte. */
  escape(intermediates: string, final: number): void;
  /** CSI: the private prefix (`?`, `>`, `<`, `=` or ''), the parameter text, intermediates and the final byte. */
  csi(prefix: string, params: string, intermediates: string, final: string): void;
}

const ESC = 0x1b;

const enum State {
  Ground,
  Escape,
  Csi,
  /** OSC, DCS, APC, PM, SOS: a string ended by BEL (OSC only) or ST (ESC \), skipped. */
  String,
  StringEscape,
}

/**
 * Reads a terminal output stream in chunks cut anywhere (inside an escape sequence or a UTF-8
 * character) and reports characters, controls and escape sequences, the way a VT-style
 * terminal parses them; strings (titles, hyperlinks, DCS) are skipped.
 */
export class VtParser {
  private state = State.Ground;
  private prefix = '';
  private params = '';
  private intermediates = '';
  private utf8Need = 0;
  private utf8Cp = 0;

  constructor(private readonly handler: VtHandler) {}

  feed(chunk: Buffer): void {
    const h = this.handler;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case State.Ground:
          if (b >= 0x20 && b < 0x7f) {
            this.utf8Need = 0;
            let j = i + 1;
            while (j < n) {
              const c = chunk[j]!;
              if (c < 0x20 || c >= 0x7f) break;
              j++;
            }
            h.printAscii(j - i);
            i = j - 1;
          } else if (b >= 0x80) this.utf8(b);
          else if (b === ESC) this.enterEscape();
          else {
            this.utf8Need = 0;
            h.control(b);
          }
          break;
        case State.Escape:
          if (b >= 0x20 && b <= 0x2f) {
            if (this.intermediates.length < 4) this.intermediates += String.fromCharCode(b);
          } else if (b < 0x20) this.controlInSequence(b);
          else if (this.intermediates === '' && b === 0x5b) {
            this.state = State.Csi;
            this.prefix = this.params = '';
          } else if (this.intermediates === '' && (b === 0x5d || b === 0x50 || b === 0x5f || b === 0x5e || b === 0x58)) {
            this.state = State.String;
          } else {
            this.state = State.Ground;
            h.escape(this.intermediates, b);
          }
          break;
        case State.Csi:
          if (b >= 0x40 && b <= 0x7e) {
            this.state = State.Ground;
            h.csi(this.prefix, this.params, this.intermediates, String.fromCharCode(b));
          } else if (b >= 0x3c && b <= 0x3f && this.params === '' && this.prefix === '') {
            this.prefix = String.fromCharCode(b);
          } else if (b >= 0x30 && b <= 0x3f) {
            let j = i + 1;
            while (j < n && chunk[j]! >= 0x30 && chunk[j]! <= 0x3f) j++;
            if (this.params.length < 64) this.params += chunk.toString('latin1', i, j);
            i = j - 1;
          } else if (b >= 0x20 && b <= 0x2f) {
            if (this.intermediates.length < 4) this.intermediates += String.fromCharCode(b);
          } else if (b < 0x20) this.controlInSequence(b);
          break;
        case State.String:
          if (b === 0x07) this.state = State.Ground;
          else if (b === ESC) this.state = State.StringEscape;
          break;
        case State.StringEscape:
          this.state = b === 0x5c ? State.Ground : State.String;
          break;
      }
    }
  }

  private enterEscape(): void {
    this.utf8Need = 0;
    this.state = State.Escape;
    this.intermediates = '';
  }

  /** CAN and SUB abort a sequence, ESC starts another, other controls act as usual. */
  private controlInSequence(b: number): void {
    if (b === 0x18 || b === 0x1a) this.state = State.Ground;
    else if (b === ESC) this.enterEscape();
    else this.handler.control(b);
  }

  private utf8(b: number): void {
    if (b >= 0xc0) {
      this.utf8Need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
      this.utf8Cp = b & (b >= 0xf0 ? 0x07 : b >= 0xe0 ? 0x0f : 0x1f);
      return;
    }
    if (this.utf8Need === 0) return; // a stray continuation byte
    this.utf8Cp = (this.utf8Cp << 6) | (b & 0x3f);
    if (--this.utf8Need === 0) this.handler.print(widthOf(this.utf8Cp));
  }
}

const widths = new Map<number, number>();

/** charWidth, remembered: terminal UIs print the same few hundred characters over and over. */
function widthOf(cp: number): number {
  let w = widths.get(cp);
  if (w === undefined) {
    w = charWidth(cp);
    if (widths.size < 4096) widths.set(cp, w);
  }
  return w;
}
