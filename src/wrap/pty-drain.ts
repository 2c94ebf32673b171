import { closeSync, constants, openSync } from 'node:fs';
import type { IPty } from 'node-pty';

/**
 * Holds the agent's side of its pseudo-terminal open in headroom until headroom has read
 * everything, and returns the function that lets it go.
 *
 * On Linux, once the last process holding that side exits, a read of headroom's side can fail
 * (EIO) while output is still buffered, and node-pty then drops it: an agent that prints a lot
 * and exits at once lost its last few KB in about half the runs. While headroom holds the
 * agent's side the read never fails; node-pty instead ends the stream 200 ms after the agent
 * exits, by which time the buffered bytes have been read.
 */
export function holdAgentSide(child: IPty): () => void {
  const name = (child as IPty & { ptsName?: string }).ptsName;
  if (!name) return () => {};
  let fd: number | undefined;
  try {
    fd = openSync(name, constants.O_RDWR | constants.O_NOCTTY);
  } catch {
    return () => {}; // the agent is already gone; nothing to hold
  }
  return () => {
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
    fd = undefined;
  };
}
