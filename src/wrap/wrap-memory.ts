import type { Agent } from '../agents/index.js';
import { startCapture, type Capture } from '../memory/capture.js';
import { embedderIdFor } from '../memory/embedders/index.js';
import { Memories } from '../memory/memory.js';
import { memoryHooks } from '../memory/proxy-hooks.js';
import { settleWithin, type RecallHook } from '../proxy/proxy-tools.js';
import type { ProxyOptions } from '../proxy/server.js';
import type { Tally } from './tally.js';

/** A turn's recall may take this long once the memory is open... */
const RECALL_MS = 3000;
/** ...and waits this long at most for a memory still opening (the agent may ask before it is). */
const MEMORY_OPEN_WAIT_MS = 30_000;

export interface WrapMemory {
  /** The memory once its store and embedder are open; rejects when they cannot be. */
  memories: Promise<Memories>;
  /** Stops the capture (reading what is left) and closes the memory, whatever of it opened. */
  close(): Promise<void>;
}

/**
 * Opens the shared memory of a wrapped session while its agent starts: the store and the
 * embedder (loaded now rather than on the first turn, which would wait for it), and the live
 * capture of "remember ..." requests from the agent's transcript, saved as this agent and wrap
 * session. The capture starts watching at once, so a transcript the agent writes while the
 * embedder loads is read from its start; its saves wait for the memory.
 */
export function openWrapMemory(agent: Agent, env: NodeJS.ProcessEnv, cwd: string, wrapSession: string, tally: Tally): WrapMemory {
  const memories = openWithEmbedder(env, cwd);
  const capture = startCapture({
    agent,
    env,
    cwd,
    onRemember: async (fact, meta) => {
      const r = await (await memories).save({ text: fact, agent: meta.agent, session: meta.session || wrapSession, source: 'auto' });
      if (r.status === 'inserted') tally.memoriesSaved++;
    },
  });
  // Failures are read by whoever awaits these; until then they are not unhandled.
  memories.catch(() => undefined);
  capture.catch(() => undefined);
  return {
    memories,
    close: async () => {
      const c: Capture | undefined = await capture.catch(() => undefined);
      await c?.close();
      (await memories.catch(() => undefined))?.close();
    },
  };
}

async function openWithEmbedder(env: NodeJS.ProcessEnv, cwd: string): Promise<Memories> {
  const memories = await Memories.open({ env, cwd });
  try {
    await memories.embedder();
    return memories;
  } catch (err) {
    memories.close();
    throw err;
  }
}

/** Throws for memory settings that cannot work (an unknown HEADROOM_EMBEDDER), without loading anything. */
export function checkMemorySettings(env: NodeJS.ProcessEnv): void {
  embedderIdFor(undefined, env);
}

/**
 * The proxy's memory hooks for a wrapped session: saves attributed to this agent and wrap
 * session, and a recall that waits for the memory still opening before its own time limit.
 */
export function memoryProxyHooks(memories: Promise<Memories>, agent: Agent, wrapSession: string, tally: Tally): Pick<ProxyOptions, 'tools' | 'recall' | 'recallTimeoutMs'> {
  const hooks = memoryHooks(memories, {
    fixed: { agent: agent.name, session: wrapSession },
    onSave: (r) => {
      if (r.status === 'inserted') tally.memoriesSaved++;
    },
  });
  const recall: RecallHook = async (query) => {
    await memories;
    const r = await settleWithin(() => hooks.recall(query), RECALL_MS);
    if (!r.ok) throw new Error(r.reason);
    return r.value;
  };
  return { tools: hooks.tools, recall, recallTimeoutMs: MEMORY_OPEN_WAIT_MS + RECALL_MS };
}
