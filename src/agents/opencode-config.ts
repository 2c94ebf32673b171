import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstSet, inHome, upstreamFromBaseUrl, type Env } from './env.js';
import { isObject, type Json } from './transcript.js';
import { LaunchError } from './types.js';
import { stripBom } from '../utf8-bom.js';

/**
 * opencode's configuration as far as headroom needs it: the inline config it reads from
 * OPENCODE_CONFIG_CONTENT, which it merges over the user's config files (global and project),
 * is how a run is routed without touching those files.
 */

/** The opencode providers headroom routes; each is named as the proxy upstream its traffic goes to. */
const ROUTED_PROVIDERS = ['anthropic', 'openai'] as const;
type Routed = (typeof ROUTED_PROVIDERS)[number];

/** The user's own OPENCODE_CONFIG_CONTENT as an object (absent: {}); throws LaunchError when it is not a JSON object. */
export function userInlineConfig(env: Env): Json {
  const text = firstSet(env, 'OPENCODE_CONFIG_CONTENT');
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return value;
  } catch {
    // Reported below.
  }
  throw new LaunchError('OPENCODE_CONFIG_CONTENT is not a JSON object; headroom adds its provider settings to it, so fix or unset it.');
}

/**
 * The inline config for a routed run: the user's own, with the base URL of each routed provider
 * (anthropic, openai; both speak /v1/...) set to the proxy, and `plugins` (file URLs) after the
 * user's own plugins. Their other settings are kept; opencode adds the plugins of its config
 * files to these.
 */
export function routedInlineConfig(user: Json, proxyUrl: string, plugins: readonly string[] = []): string {
  const providers: Json = isObject(user.provider) ? { ...user.provider } : {};
  for (const id of ROUTED_PROVIDERS) {
    const own = isObject(providers[id]) ? (providers[id] as Json) : {};
    const options = isObject(own.options) ? own.options : {};
    providers[id] = { ...own, options: { ...options, baseURL: `${proxyUrl}/v1` } };
  }
  const plugin = plugins.length > 0 ? { plugin: [...(Array.isArray(user.plugin) ? user.plugin : []), ...plugins] } : {};
  return JSON.stringify({ ...user, provider: providers, ...plugin });
}

/**
 * The base URLs the user had given the routed providers (inline config first, then the global
 * opencode.json / opencode.jsonc): the proxy forwards there instead of the public APIs.
 */
export function userProviderBaseUrls(env: Env): Partial<Record<Routed, string>> {
  const configs = [inlineOrEmpty(env), globalConfig(env)];
  const out: Partial<Record<Routed, string>> = {};
  for (const id of ROUTED_PROVIDERS) {
    for (const c of configs) {
      const url = baseUrlIn(c, id);
      if (url) {
        out[id] = upstreamFromBaseUrl(url);
        break;
      }
    }
  }
  return out;
}

function baseUrlIn(config: Json, id: string): string | undefined {
  const provider = isObject(config.provider) ? config.provider[id] : undefined;
  const options = isObject(provider) ? provider.options : undefined;
  const url = isObject(options) ? options.baseURL : undefined;
  return typeof url === 'string' ? url : undefined;
}

function inlineOrEmpty(env: Env): Json {
  try {
    return userInlineConfig(env);
  } catch {
    return {};
  }
}

/** The user's global config (XDG_CONFIG_HOME/opencode, else ~/.config/opencode); {} when absent or unreadable. */
function globalConfig(env: Env): Json {
  const dir = env.XDG_CONFIG_HOME ? join(env.XDG_CONFIG_HOME, 'opencode') : inHome(env, '.config', 'opencode');
  for (const name of ['opencode.json', 'opencode.jsonc']) {
    try {
      // JSONC: whole-line comments are dropped; a file this cannot parse counts as empty.
      const text = stripBom(readFileSync(join(dir, name), 'utf8')).replace(/^\s*\/\/.*$/gm, '');
      const value: unknown = JSON.parse(text);
      if (isObject(value)) return value;
    } catch {
      // Next name.
    }
  }
  return {};
}
