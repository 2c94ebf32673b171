import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGENT_CONTEXT, agentNamed } from '../../src/agents/index.js';
import { adapterFor, type ProviderName } from '../../src/providers/index.js';
import { latestUserText, NO_INJECTED_CONTEXT } from '../../src/wire/index.js';

/**
 * Each agent names the context blocks it adds to user turns; with them, the user's prompt is
 * what its captured request yields as the latest user text, and without them it is not.
 */

const CAPTURES: Array<[agent: string, provider: ProviderName, capture: string, prompt: string]> = [
  ['claude', 'anthropic', 'claude-tool/002-POST-_v1_messages.json', 'run a command'],
  ['codex', 'openai-responses', 'codex-tool/001-POST-_v1_responses.json', 'run something'],
  ['copilot', 'openai-chat', 'copilot/001-POST-_v1_chat_completions.json', 'hi'],
  ['gemini', 'gemini', 'gemini/002-POST-_v1beta_models_gemini_3_8_flash_streamGenerateContent.json', 'hi'],
];

describe.each(CAPTURES)('%s', (name, provider, capture, prompt) => {
  const body = (JSON.parse(readFileSync(new URL(`../../fixtures/wire/${capture}`, import.meta.url), 'utf8')) as { body: unknown }).body;
  const request = adapterFor(provider).read(JSON.stringify(body));
  const own = agentNamed(name)!.injectedContext!;

  it('its own context blocks leave the typed prompt as the latest user text', () => {
    expect(latestUserText(request, own)).toBe(prompt);
    expect(latestUserText(request, AGENT_CONTEXT)).toBe(prompt);
  });

  it('without them the latest user text is not the prompt', () => {
    expect(latestUserText(request, NO_INJECTED_CONTEXT)).not.toBe(prompt);
  });
});
