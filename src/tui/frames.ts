/**
 * Draws successive frames (dashboards, the learn review). On a terminal each frame replaces the
 * last; into a pipe or file each changed frame is appended. Frames are drawn here rather than by
 * Ink's live renderer, which holds every frame back until exit when it sees a CI environment.
 */
export function frameWriter(out: NodeJS.WriteStream): (frame: string) => void {
  let shown = 0;
  let last = '';
  return (frame) => {
    if (frame === last) return;
    last = frame;
    if (!out.isTTY) return void out.write(`${frame}\n\n`);
    const erase = shown === 0 ? '' : shown >= (out.rows || 24) ? '\x1b[2J\x1b[H' : `\x1b[${shown}F\x1b[0J`;
    out.write(`${erase}${frame}\n`);
    shown = frame.split('\n').length;
  };
}
