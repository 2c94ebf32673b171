/**
 * A request body as the ordered list of blocks a provider's prompt cache sees, for the cache
 * simulator (cache-sim.ts) and the session benchmark's bust check. Each block carries its
 * canonical text (the block's JSON, cache_control removed, so marking a block does not change
 * its bytes), and a position that names the same place in any request of a conversation:
 * [section, item, part].
 *
 * Anthropic Messages renders tools, then system, then messages (each content block is a block).
 * OpenAI requests have no documented rendering order; headroom takes tools, then instructions,
 * then the input items (Responses) or messages (Chat), which is stable for any client that keeps
 * its tools and instructions fixed, as the agents do.
 */
export interface PromptBlock {
  /** [section, item, part]: compare positions with comparePositions. */
  position: [number, number, number];
  text: string;
  /** Anthropic: the block's cache_control, if it has one. */
  cacheControl?: { ttl: '5m' | '1h' };
}

export type CacheFormat = 'anthropic' | 'openai-responses' | 'openai-chat';

export function promptBlocks(format: CacheFormat, body: unknown): PromptBlock[] {
  const json = (body ?? {}) as Record<string, unknown>;
  return format === 'anthropic' ? anthropicBlocks(json) : openaiBlocks(format, json);
}

/** Negative when a is earlier in the prompt than b, 0 when the same place. */
function comparePositions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** The position of the first block where two requests differ, or undefined when one is a prefix of the other. */
export function firstDifference(a: PromptBlock[], b: PromptBlock[]): [number, number, number] | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.text !== y.text || comparePositions(x.position, y.position) !== 0) {
      return comparePositions(x.position, y.position) <= 0 ? x.position : y.position;
    }
  }
  return undefined;
}

function anthropicBlocks(json: Record<string, unknown>): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  list(json.tools).forEach((tool, i) => blocks.push(block([0, i, 0], tool)));
  if (typeof json.system === 'string') blocks.push(block([1, 0, 0], { type: 'text', text: json.system }));
  else list(json.system).forEach((b, i) => blocks.push(block([1, i, 0], b)));
  list(json.messages).forEach((m, i) => {
    const content = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : list(m.content);
    // The role belongs to the message's first block, so a changed role changes the prefix there.
    content.forEach((b, j) => blocks.push(block([2, i, j], b, j === 0 ? String(m.role) : undefined)));
  });
  return blocks;
}

function openaiBlocks(format: CacheFormat, json: Record<string, unknown>): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  list(json.tools).forEach((tool, i) => blocks.push(block([0, i, 0], tool)));
  if (format === 'openai-responses') {
    if (typeof json.instructions === 'string') blocks.push(block([1, 0, 0], { instructions: json.instructions }));
    const input = typeof json.input === 'string' ? [{ role: 'user', content: json.input }] : list(json.input);
    input.forEach((item, i) => blocks.push(block([2, i, 0], item)));
  } else {
    list(json.messages).forEach((m, i) => blocks.push(block([2, i, 0], m)));
  }
  return blocks;
}

function block(position: [number, number, number], raw: Record<string, unknown>, role?: string): PromptBlock {
  const { cache_control: cc, ...rest } = raw;
  const text = (role !== undefined ? `${role}:` : '') + JSON.stringify(rest);
  const ttl = (cc as { ttl?: unknown } | undefined)?.ttl === '1h' ? '1h' : '5m';
  return cc && typeof cc === 'object' ? { position, text, cacheControl: { ttl } } : { position, text };
}

function list(v: unknown): Array<Record<string, unknown>> {
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as Array<Record<string, unknown>>) : [];
}
