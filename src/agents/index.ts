import { AGENT_CONTEXT } from './injected-context.js';
import { aider } from './aider.js';
import { claude } from './claude.js';
import { cline } from './cline.js';
import { codex } from './codex.js';
import { continueCli } from './continue.js';
import { copilot } from './copilot.js';
import { gemini } from './gemini.js';
import { kilo } from './kilo.js';
import { opencode } from './opencode.js';
import { qwen } from './qwen.js';
import type { Agent, AgentName, ModelRequestView } from './types.js';

export { LaunchError, type Agent, type AgentName, type ModelRequestView, type TranscriptLine } from './types.js';

export const AGENTS: readonly Agent[] = [claude, codex, copilot, gemini, aider, opencode, qwen, kilo, continueCli, cline];

export { AGENT_CONTEXT } from './injected-context.js';

export function agentNamed(name: string): Agent | undefined {
  return AGENTS.find((a) => a.name === name);
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** The agent that sent a request, from its headers. */
export function agentOf(headers: Headers): AgentName | undefined {
  return AGENTS.find((a) => a.sentRequest(headers))?.name;
}

/**
 * The session id an agent put in its request headers, if any. `client` is the caller's name
 * (any label a client sends in x-headroom-agent): a known agent's headers are tried first.
 */
export function sessionFromHeaders(headers: Headers, client?: string): string | undefined {
  const own = client === undefined ? undefined : agentNamed(client);
  const candidates = own ? [own, ...AGENTS] : AGENTS;
  for (const a of candidates) {
    for (const h of a.sessionHeaders) {
      const v = headers[h];
      if (typeof v === 'string' && v.trim() !== '') return `${a.name}:${v.trim()}`;
    }
  }
  return undefined;
}

/**
 * Whether a model request of `agent` belongs to its main conversation (see Agent.mainConversation).
 * Any other client's requests all do.
 */
export function isMainConversation(agent: string, request: ModelRequestView): boolean {
  return agentNamed(agent)?.mainConversation?.(request) ?? true;
}

/**
 * Who sent a request, as the proxy asks its callers (`identify` option): the agent, from its
 * headers, and the agent's own conversation id. `claimed` is the name the request is already
 * known by (the wrapped agent, or an x-headroom-agent label): its session headers are tried first.
 */
export function identifyRequest(headers: Headers, claimed?: string): { agent?: string; session?: string } {
  const agent = claimed ?? agentOf(headers);
  const session = sessionFromHeaders(headers, agent);
  return { ...(agent ? { agent } : {}), ...(session ? { session } : {}) };
}

/** The proxy options that let it tell agents apart (given by `headroom proxy` and `headroom wrap`). */
export const agentRecognition = { identify: identifyRequest, mainConversation: isMainConversation, injectedContext: AGENT_CONTEXT } as const;
