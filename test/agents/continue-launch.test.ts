import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentNamed, isMainConversation, LaunchError } from '../../src/agents/index.js';

const proxyUrl = 'http://127.0.0.1:4321';
const cn = agentNamed('continue')!;
const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-continue-launch-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const USER_CONFIG = `# mine
name: Mine
version: 1.0.0
schema: v1
models:
  - name: gw
    provider: openai
    model: gpt-4.1
    apiBase: https://gw.example.com/v1
    apiKey: \${{ secrets.GW_KEY }}
  - name: local
    provider: openai
    model: qwen
    apiBase: http://localhost:8080/v1/
  - name: claude
    provider: anthropic
    model: claude-sonnet-4-5
  - name: llama
    provider: ollama
    model: llama3
  - uses: ./blocks/model.yaml
rules:
  - uses: ../shared/rule.md
  - Be brief.
`;

function writeConfig(dir: string, text = USER_CONFIG): string {
  fs.mkdirSync(dir, { recursive: true });
  const path = join(dir, 'config.yaml');
  fs.writeFileSync(path, text);
  return path;
}

/** Launches with `args`, returns the arguments, the routed copy (parsed) and cleans up. */
function launched(args: string[], env: Record<string, string> = { HOME: home }) {
  const l = cn.launch({ proxyUrl, args, env, interactive: false });
  expect(l.args[0]).toBe('--config');
  const copy = l.args[1]!;
  const config = parse(fs.readFileSync(copy, 'utf8')) as Record<string, unknown>;
  const mode = fs.statSync(copy).mode & 0o777;
  l.cleanup?.();
  expect(fs.existsSync(copy)).toBe(false);
  return { args: l.args.slice(2), config, mode };
}

describe('Continue CLI launch', () => {
  it("routes a copy of ~/.continue/config.yaml: the first base URL of each routed provider goes to the proxy, the rest as before; the user's file unchanged", () => {
    const path = writeConfig(join(home, '.continue'));
    const { args, config, mode } = launched(['-p', 'hi']);
    expect(args).toEqual(['-p', 'hi']);
    expect(mode).toBe(0o600);
    expect(config).toEqual({
      name: 'Mine',
      version: '1.0.0',
      schema: 'v1',
      models: [
        { name: 'gw', provider: 'openai', model: 'gpt-4.1', apiBase: `${proxyUrl}/v1/`, apiKey: '${{ secrets.GW_KEY }}' },
        { name: 'local', provider: 'openai', model: 'qwen', apiBase: 'http://localhost:8080/v1/' },
        { name: 'claude', provider: 'anthropic', model: 'claude-sonnet-4-5', apiBase: `${proxyUrl}/v1/` },
        { name: 'llama', provider: 'ollama', model: 'llama3' },
        { uses: join(home, '.continue', 'blocks', 'model.yaml') },
      ],
      rules: [{ uses: join(home, 'shared', 'rule.md') }, 'Be brief.'],
    });
    expect(fs.readFileSync(path, 'utf8')).toBe(USER_CONFIG);
    // The first openai model's base URL is the openai upstream; anthropic's own API needs none.
    expect(cn.upstreams({ HOME: home }, [])).toEqual({ openai: 'https://gw.example.com' });
  });

  it('a --config file of the user replaces the global one, read where they named it (CONTINUE_GLOBAL_DIR too)', () => {
    const mine = writeConfig(join(home, 'project'), 'models:\n  - provider: anthropic\n    apiBase: https://a.example.com/v1/\n    model: m\n');
    for (const args of [['--config', mine, '-p', 'hi'], [`--config=${mine}`, '-p', 'hi']]) {
      const { args: rest, config } = launched(args);
      expect(rest).toEqual(['-p', 'hi']);
      expect(config).toEqual({ models: [{ provider: 'anthropic', apiBase: `${proxyUrl}/v1/`, model: 'm' }] });
      expect(cn.upstreams({ HOME: home }, args)).toEqual({ anthropic: 'https://a.example.com' });
    }
    const globalDir = join(home, 'elsewhere');
    writeConfig(globalDir, 'models:\n  - provider: openai\n    model: m\n');
    expect(launched([], { HOME: home, CONTINUE_GLOBAL_DIR: globalDir }).config).toEqual({ models: [{ provider: 'openai', model: 'm', apiBase: `${proxyUrl}/v1/` }] });
  });

  it('refuses, saying why, a hub assistant, no config at all, an unreadable one, or one without a routed model', () => {
    const empty = fs.mkdtempSync(join(home, 'empty-'));
    const refused = (args: string[], message: RegExp, env: Record<string, string> = { HOME: home }) => {
      expect(() => cn.launch({ proxyUrl, args, env, interactive: false })).toThrow(LaunchError);
      expect(() => cn.launch({ proxyUrl, args, env, interactive: false })).toThrow(message);
      expect(cn.upstreams(env, args)).toEqual({});
    };
    refused(['--config', 'acme/assistant'], /Continue Hub assistant/);
    refused([], /config\.yaml does not exist/, { HOME: empty });
    refused(['--config', writeConfig(join(home, 'bad'), 'models: [\n')], /Cannot read Continue's config/);
    refused(['--config', writeConfig(join(home, 'list'), '- a\n')], /not a YAML mapping/);
    refused(['--config', writeConfig(join(home, 'ollama'), 'models:\n  - provider: ollama\n    model: m\n')], /openai or anthropic/);
  });

  it("its session title request (no tools) is not its main conversation; its turns are", () => {
    expect(isMainConversation('continue', { tools: [], headers: {} })).toBe(false);
    expect(isMainConversation('continue', { tools: ['Bash', 'Read'], headers: {} })).toBe(true);
  });
});
