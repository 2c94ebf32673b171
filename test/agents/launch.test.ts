import { describe, expect, it } from 'vitest';
import { AGENTS, agentNamed, LaunchError } from '../../src/agents/index.js';
import { upstreamFromBaseUrl } from '../../src/agents/env.js';

const proxyUrl = 'http://127.0.0.1:4321';
const launch = (name: string, env: Record<string, string> = {}, args: string[] = ['--flag', 'x']) => agentNamed(name)!.launch({ proxyUrl, args, env });

describe('agent launch', () => {
  it('every agent names its binary, install command and instruction file', () => {
    for (const a of AGENTS) {
      expect(a.binary).toMatch(/^[a-z]+$/);
      expect(a.install).toMatch(/install/);
      expect(a.instructionFiles.length).toBeGreaterThan(0);
    }
  });

  it('Claude Code: ANTHROPIC_BASE_URL is the proxy; a base URL the user had set becomes the upstream', () => {
    expect(launch('claude')).toEqual({ args: ['--flag', 'x'], env: { ANTHROPIC_BASE_URL: proxyUrl }, upstreams: { anthropic: undefined } });
    expect(launch('claude', { ANTHROPIC_BASE_URL: 'https://gw.example.com/anthropic/' }).upstreams).toEqual({ anthropic: 'https://gw.example.com/anthropic' });
  });

  it('Codex: a provider defined by -c overrides before the user arguments, keyed by OPENAI_API_KEY', () => {
    const l = launch('codex', { OPENAI_API_KEY: 'sk-x' }, ['exec', 'hi']);
    expect(l.args.slice(0, 4)).toEqual(['-c', 'model_provider="headroom"', '-c', `model_providers.headroom={name="headroom", base_url="${proxyUrl}/v1", wire_api="responses", env_key="OPENAI_API_KEY", supports_websockets=false}`]);
    expect(l.args.slice(4)).toEqual(['exec', 'hi']);
    expect(l.env).toEqual({});
    expect(() => launch('codex')).toThrow(LaunchError);
    expect(() => launch('codex')).toThrow(/OPENAI_API_KEY/);
  });

  it('Copilot CLI: only bring-your-own-key mode, OpenAI or Anthropic', () => {
    expect(() => launch('copilot')).toThrow(/cannot proxy[\s\S]*COPILOT_PROVIDER_BASE_URL/);
    const openai = launch('copilot', { COPILOT_PROVIDER_BASE_URL: 'https://api.openai.com/v1' });
    expect(openai.env).toEqual({ COPILOT_PROVIDER_BASE_URL: `${proxyUrl}/v1` });
    expect(openai.upstreams).toEqual({ openai: 'https://api.openai.com' });
    const anthropic = launch('copilot', { COPILOT_PROVIDER_BASE_URL: 'https://api.anthropic.com', COPILOT_PROVIDER_TYPE: 'anthropic' });
    expect(anthropic.env).toEqual({ COPILOT_PROVIDER_BASE_URL: proxyUrl });
    expect(anthropic.upstreams).toEqual({ anthropic: 'https://api.anthropic.com' });
    expect(() => launch('copilot', { COPILOT_PROVIDER_BASE_URL: 'https://x.openai.azure.com', COPILOT_PROVIDER_TYPE: 'azure' })).toThrow(/azure/);
  });

  it('Gemini CLI: API-key auth only, GOOGLE_GEMINI_BASE_URL is the proxy', () => {
    expect(() => launch('gemini')).toThrow(/GEMINI_API_KEY/);
    expect(launch('gemini', { GEMINI_API_KEY: 'k' }).env).toEqual({ GOOGLE_GEMINI_BASE_URL: proxyUrl });
    expect(launch('gemini', { GOOGLE_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: 'https://g.example.com' }).upstreams).toEqual({ gemini: 'https://g.example.com' });
  });

  it('Aider: litellm base URLs for OpenAI and Anthropic', () => {
    const l = launch('aider', { OPENAI_API_BASE: 'https://openrouter.ai/api/v1' });
    expect(l.env).toEqual({ OPENAI_API_BASE: `${proxyUrl}/v1`, ANTHROPIC_API_BASE: proxyUrl, ANTHROPIC_BASE_URL: proxyUrl });
    expect(l.upstreams).toEqual({ openai: 'https://openrouter.ai/api', anthropic: undefined });
  });

  it('turns a user base URL into an upstream', () => {
    expect(upstreamFromBaseUrl('https://api.openai.com/v1/')).toBe('https://api.openai.com');
    expect(upstreamFromBaseUrl('http://localhost:8000')).toBe('http://localhost:8000');
    expect(upstreamFromBaseUrl('not a url')).toBeUndefined();
    expect(upstreamFromBaseUrl(undefined)).toBeUndefined();
  });
});
