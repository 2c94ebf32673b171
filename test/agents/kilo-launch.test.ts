import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_CONTEXT, agentNamed, agentOf, isMainConversation, LaunchError, sessionFromHeaders } from '../../src/agents/index.js';
import { adapterFor } from '../../src/providers/index.js';
import { latestUserText, NO_INJECTED_CONTEXT } from '../../src/wire/index.js';

const proxyUrl = 'http://127.0.0.1:4321';
const kilo = agentNamed('kilo')!;
const launch = (env: Record<string, string> = {}) => kilo.launch({ proxyUrl, args: ['run', 'hi'], env, interactive: false });
const inline = (env: Record<string, string> = {}) => JSON.parse(launch(env).env.KILO_CONFIG_CONTENT!) as Record<string, unknown>;
const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-kilo-launch-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

// Headers of a real Kilo Code 7.7.7 request (captured from the CLI against the fake upstream).
const REAL_HEADERS = {
  'user-agent': 'kilo/latest/7.7.7/cli ai-sdk/provider-utils/4.0.27 runtime/bun/1.3.14',
  'x-session-affinity': 'ses_db11510dfffe1Iij67ZJV83LRg',
  'x-session-id': 'ses_db11510dfffe1Iij67ZJV83LRg',
  'anthropic-version': '2023-06-01',
};

const routed = { options: { baseURL: `${proxyUrl}/v1` } };
const withBaseUrl = (anthropic: string) => JSON.stringify({ provider: { anthropic: { options: { baseURL: anthropic } } } });

describe('Kilo Code launch', () => {
  it('routes its anthropic and openai providers to the proxy with KILO_CONFIG_CONTENT, the arguments as given', () => {
    const l = launch();
    expect(l.args).toEqual(['run', 'hi']);
    expect(Object.keys(l.env)).toEqual(['KILO_CONFIG_CONTENT']);
    expect(inline()).toEqual({ provider: { anthropic: routed, openai: routed } });
  });

  it("keeps the user's own KILO_CONFIG_CONTENT, replacing only the routed base URLs; opencode's variable is not Kilo's", () => {
    const user = { model: 'anthropic/claude-opus-4-5', provider: { anthropic: { options: { baseURL: 'https://gw.example.com/v1', timeout: 5 } }, kilo: { options: {} } } };
    expect(inline({ KILO_CONFIG_CONTENT: JSON.stringify(user) })).toEqual({
      model: 'anthropic/claude-opus-4-5',
      provider: { anthropic: { options: { baseURL: `${proxyUrl}/v1`, timeout: 5 } }, kilo: { options: {} }, openai: routed },
    });
    expect(inline({ OPENCODE_CONFIG_CONTENT: JSON.stringify(user) })).toEqual({ provider: { anthropic: routed, openai: routed } });
  });

  it('refuses a KILO_CONFIG_CONTENT that is not a JSON object, naming it', () => {
    expect(() => launch({ KILO_CONFIG_CONTENT: '{not json' })).toThrow(LaunchError);
    expect(() => launch({ KILO_CONFIG_CONTENT: '[1]' })).toThrow(/KILO_CONFIG_CONTENT is not a JSON object/);
  });

  it('base URLs the user gave the routed providers become the upstreams: inline config, then the global file that wins in Kilo', () => {
    expect(kilo.upstreams({ HOME: home })).toEqual({});
    const dir = join(home, '.config', 'kilo');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(join(dir, 'config.json'), JSON.stringify({ provider: { openai: { options: { baseURL: 'https://o.example.com/v1' } } } }));
    fs.writeFileSync(join(dir, 'kilo.json'), withBaseUrl('https://kilo-json.example.com/v1/'));
    // Kilo merges opencode.jsonc last, so its base URL wins; a file naming none hides nothing.
    fs.writeFileSync(join(dir, 'opencode.jsonc'), `// mine\n${withBaseUrl('https://jsonc.example.com')}`);
    fs.writeFileSync(join(dir, 'opencode.json'), '{"theme": "dark"}');
    expect(kilo.upstreams({ HOME: home })).toEqual({ anthropic: 'https://jsonc.example.com', openai: 'https://o.example.com' });
    fs.rmSync(join(dir, 'opencode.jsonc'));
    expect(kilo.upstreams({ HOME: home })).toEqual({ anthropic: 'https://kilo-json.example.com', openai: 'https://o.example.com' });
    expect(kilo.upstreams({ HOME: home, KILO_CONFIG_CONTENT: withBaseUrl('https://inline.example.com') })).toEqual({ anthropic: 'https://inline.example.com', openai: 'https://o.example.com' });
    expect(kilo.upstreams({ HOME: join(home, 'nowhere'), XDG_CONFIG_HOME: join(home, '.config') })).toEqual({ anthropic: 'https://kilo-json.example.com', openai: 'https://o.example.com' });
  });

  it('knows its requests and session from their headers, apart from opencode; a request without tools is not the main conversation', () => {
    expect(agentOf(REAL_HEADERS)).toBe('kilo');
    expect(agentOf({ ...REAL_HEADERS, 'user-agent': 'opencode/1.18.33 ai-sdk/provider-utils/4.0.46 runtime/bun/1.3.14' })).toBe('opencode');
    expect(sessionFromHeaders(REAL_HEADERS, 'kilo')).toBe('kilo:ses_db11510dfffe1Iij67ZJV83LRg');
    expect(isMainConversation('kilo', { tools: [], headers: REAL_HEADERS })).toBe(false);
    expect(isMainConversation('kilo', { tools: ['bash', 'read'], headers: REAL_HEADERS })).toBe(true);
  });

  it('the environment block it appends to a user turn is context: the typed prompt is the latest user text', () => {
    // The first user turn of a real `kilo run "Run seq 1 30"` request (Messages).
    const content = [
      { type: 'text', text: 'Run seq 1 30' },
      { type: 'text', text: '\n\n<environment_details>\nMessage time: 2026-12-07T05:12:39Z\nWorking directory: /tmp/kilo-probe/work\nWorkspace root folder: /\n</environment_details>', cache_control: { type: 'ephemeral' } },
    ];
    const request = adapterFor('anthropic').read(JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content }] }));
    expect(latestUserText(request, kilo.injectedContext!)).toBe('Run seq 1 30');
    expect(latestUserText(request, AGENT_CONTEXT)).toBe('Run seq 1 30');
    expect(latestUserText(request, NO_INJECTED_CONTEXT)).not.toBe('Run seq 1 30');
  });
});
