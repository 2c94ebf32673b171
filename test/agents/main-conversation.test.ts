import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentOf, isMainConversation } from '../../src/agents/index.js';
import { adapterFor, type ProviderName } from '../../src/providers/index.js';

// Which requests of each agent belong to its main conversation (and so get recalled memories),
// judged on what the real CLIs sent on a first prompt (fixtures/wire/*/README.md say how each
// was captured).

interface Capture {
  headers: Record<string, string>;
  body: unknown;
}

const capture = (path: string): Capture => JSON.parse(readFileSync(new URL(`../../fixtures/wire/${path}`, import.meta.url), 'utf8')) as Capture;

const CASES: Array<[path: string, provider: ProviderName, main: boolean, what: string]> = [
  ['claude-title/001-POST-_v1_messages.json', 'anthropic', false, "Claude Code's session title request"],
  ['claude-title/002-POST-_v1_messages.json', 'anthropic', true, "Claude Code's turn (interactive)"],
  ['claude/002-POST-_v1_messages.json', 'anthropic', true, "Claude Code's turn (-p)"],
  ['codex-title/001-POST-_v1_responses.json', 'openai-responses', true, "Codex's turn (default model, interactive)"],
  ['codex-title/002-POST-_v1_responses.json', 'openai-responses', false, "Codex's task title request (same tools as a turn)"],
  ['codex-default-model/responses-request.json', 'openai-responses', true, "Codex's turn (default model)"],
  ['codex/001-POST-_v1_responses.json', 'openai-responses', true, "Codex's turn (codex exec -m)"],
  ['gemini-summary/001-POST-_v1beta_models_gemini_3_5_flash_lite_generateContent.json', 'gemini', false, "Gemini CLI's routing call"],
  ['gemini-summary/002-POST-_v1beta_models_gemini_3_8_flash_streamGenerateContent.json', 'gemini', true, "Gemini CLI's turn"],
  ['gemini-summary/003-POST-_v1beta_models_gemini_3_5_flash_lite_generateContent.json', 'gemini', false, "Gemini CLI's summary of the previous session"],
  ['gemini/001-POST-_v1beta_models_gemini_3_5_flash_lite_generateContent.json', 'gemini', false, "Gemini CLI's routing call (-p)"],
  ['gemini/002-POST-_v1beta_models_gemini_3_8_flash_streamGenerateContent.json', 'gemini', true, "Gemini CLI's turn (-p)"],
];

describe('main conversation or background call, per agent, on real captures', () => {
  it.each(CASES)('%s (%s): main %s — %s', (path, provider, main) => {
    const { headers, body } = capture(path);
    const agent = agentOf(headers);
    expect(agent).toBeDefined();
    const request = adapterFor(provider).read(JSON.stringify(body));
    expect(isMainConversation(agent!, { tools: request.tools, headers })).toBe(main);
  });

  it('counts every request of a client it does not know, or of an agent that says nothing, as main', () => {
    const { headers, body } = capture('claude-title/001-POST-_v1_messages.json');
    const request = adapterFor('anthropic').read(JSON.stringify(body));
    expect(isMainConversation('my-bot', { tools: request.tools, headers })).toBe(true);
    expect(isMainConversation('aider', { tools: [], headers: {} })).toBe(true);
  });

  it("judges Codex by its tools when the turn metadata is missing or unreadable", () => {
    expect(isMainConversation('codex', { tools: ['exec'], headers: {} })).toBe(true);
    expect(isMainConversation('codex', { tools: [], headers: { 'x-codex-turn-metadata': 'not json' } })).toBe(false);
  });
});
