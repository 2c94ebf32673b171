import { closeSync, constants, openSync } from 'node:fs';
import type { IPty } from 'node-pty';

/** How long the agent's terminal must stay silent, after the agent exited, before its stream ends. */
const QUIET_MS = 50;
/** The longest the stream is kept open after the agent exited (a program it left behind may print on). */
const MAX_DRAIN_MS = 3_000;

export interface AgentSideHold {
  /** Lets the agent's side go (the agent exited, or headroom is leaving). */
  release(): void;
  /** True once the agent has exited and its last output is being read: do not pause the stream now. */
  draining(): boolean;
}

interface ReadSocket {
  destroy(...args: unknown[]): unknown;
  resume(): unknown;
}

/**
 * Makes sure headroom reads everything the agent wrote before its terminal's stream ends.
 *
 * Two ways the last output of an agent that prints a lot and exits at once was lost on Linux:
 * - Once the last process holding the agent's side of the pseudo-terminal exits, a read of
 *   headroom's side can fail (EIO) while output is still buffered, and node-pty drops it (about
 *   half the runs). Holding the agent's side open in headroom keeps reads from failing.
 * - node-pty then ends the stream 200 ms after the agent exits, read or not. If headroom had
 *   paused the stream at that moment (the user's terminal was slow to take output) or its event
 *   loop was busy, the bytes still buffered were lost. So when node-pty ends the stream, it
 *   flows again and ends only once it has stayed silent for QUIET_MS (at most MAX_DRAIN_MS).
 *   That end goes through node-pty's private `_socket`; without one, its own timing stands.
 */
export function holdAgentSide(child: IPty): AgentSideHold {
  let draining = false;
  const name = (child as IPty & { ptsName?: string }).ptsName;
  let fd: number | undefined;
  try {
    if (name) fd = openSync(name, constants.O_RDWR | constants.O_NOCTTY);
  } catch {
    // the agent is already gone; nothing to hold
  }
  const socket = (child as IPty & { _socket?: ReadSocket })._socket;
  if (fd !== undefined && socket && typeof socket.destroy === 'function') {
    const destroy = socket.destroy.bind(socket);
    let heard = false;
    child.onData(() => {
      heard = true;
    });
    socket.destroy = (...args: unknown[]) => {
      if (args[0] !== undefined) return destroy(...args); // a failed read ends the stream as it is
      if (draining) return socket;
      draining = true;
      const deadline = Date.now() + MAX_DRAIN_MS;
      socket.resume();
      // A timer, then an immediate: the poll phase between the two reads whatever is ready, so a
      // busy event loop is not mistaken for a silent terminal.
      const check = (): void => {
        heard = false;
        setTimeout(() =>
          setImmediate(() => {
            if (heard && Date.now() < deadline) check();
            else destroy(...args);
          }),
          QUIET_MS,
        );
      };
      check();
      return socket;
    };
  }
  return {
    release: () => {
      if (fd === undefined) return;
      try {
        closeSync(fd);
      } catch {
        // closed already
      }
      fd = undefined;
    },
    draining: () => draining,
  };
}
