import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstSet, inHome, upstreamFromBaseUrl, type Env } from './env.js';
import { isObject, str, type Json } from './transcript.js';
import { LaunchError } from './types.js';
import type { UpstreamName } from '../proxy/routes.js';
import { stripBom } from '../utf8-bom.js';

/**
 * Cline's settings as far as headroom needs them. Cline keeps its providers (key, model, base URL)
 * in one file, <data folder>/settings/providers.json: `{ lastUsedProvider, providers: { <id>:
 * { settings: { provider, apiKey, model, baseUrl, ... } } } }`. A run is routed by a copy of that
 * file in which the provider in use points at the proxy; the user's file is not touched.
 */

/** The Cline providers headroom routes, with the wire format each speaks and the proxy upstream it goes to. */
const ROUTED: Readonly<Record<string, UpstreamName>> = {
  // Messages.
  anthropic: 'anthropic',
  // Chat Completions, to any OpenAI-compatible API.
  'openai-compatible': 'openai',
  // Responses.
  'openai-native': 'openai',
};

/** Provider ids Cline accepts for another (its `-P openai` is its OpenAI-compatible provider). */
const ALIASES: Readonly<Record<string, string>> = { openai: 'openai-compatible' };

/** The user's Cline data folder: CLINE_DATA_DIR, else <CLINE_DIR or ~/.cline>/data. */
export function clineDataDir(env: Env): string {
  return firstSet(env, 'CLINE_DATA_DIR') ?? join(firstSet(env, 'CLINE_DIR') ?? inHome(env, '.cline'), 'data');
}

/** The user's settings files that a run in its own data folder must still read (else Cline looks for them in that folder). */
export function userSettingsPaths(env: Env): { providers: string; global: string; mcp: string } {
  const settings = join(clineDataDir(env), 'settings');
  return {
    providers: firstSet(env, 'CLINE_PROVIDER_SETTINGS_PATH') ?? join(settings, 'providers.json'),
    global: firstSet(env, 'CLINE_GLOBAL_SETTINGS_PATH') ?? join(settings, 'global-settings.json'),
    mcp: firstSet(env, 'CLINE_MCP_SETTINGS_PATH') ?? join(settings, 'cline_mcp_settings.json'),
  };
}

/** The user's providers.json as an object; {} when there is none or it cannot be read. */
export function userProviders(env: Env): Json {
  try {
    const value: unknown = JSON.parse(stripBom(readFileSync(userSettingsPaths(env).providers, 'utf8')));
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

/** The id of a provider as Cline stores it. */
function canonical(id: string): string {
  return ALIASES[id] ?? id;
}

/** The provider a run uses: the one named with -P/--provider, else the one Cline used last. */
export function providerInUse(args: readonly string[], providers: Json): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if ((a === '-P' || a === '--provider') && args[i + 1] !== undefined) return canonical(args[i + 1]!);
    if (a.startsWith('--provider=')) return canonical(a.slice('--provider='.length));
  }
  const last = str(providers.lastUsedProvider);
  return last === undefined ? undefined : canonical(last);
}

function entrySettings(providers: Json, id: string): Json {
  const all = isObject(providers.providers) ? providers.providers : {};
  const entry = isObject(all[id]) ? all[id] : {};
  return isObject(entry.settings) ? entry.settings : {};
}

/**
 * The providers.json of a routed run: the user's, with the provider in use pointed at the proxy
 * (its other settings, and the other providers, as they are). Throws LaunchError when the provider
 * in use is not one headroom routes: its traffic would bypass the proxy.
 */
export function routedProviders(user: Json, provider: string | undefined, proxyUrl: string): string {
  if (provider === undefined) {
    throw new LaunchError('Cline has no provider set up: run `cline auth` once (an Anthropic, OpenAI or OpenAI-compatible provider), or pass -P.');
  }
  if (ROUTED[provider] === undefined) {
    throw new LaunchError(`Cline's provider "${provider}" is not routed by headroom: only ${Object.keys(ROUTED).join(', ')} are. Pick one with -P or \`cline auth\`.`);
  }
  const all: Json = isObject(user.providers) ? { ...user.providers } : {};
  const entry: Json = isObject(all[provider]) ? { ...all[provider] } : { updatedAt: new Date(0).toISOString(), tokenSource: 'manual' };
  entry.settings = { ...entrySettings(user, provider), provider, baseUrl: `${proxyUrl}/v1` };
  all[provider] = entry;
  return `${JSON.stringify({ version: 1, modes: {}, ...user, providers: all }, null, 2)}\n`;
}

/**
 * The base URLs the user had given the routed providers in providers.json: the proxy forwards
 * there instead of the public APIs. For openai, the provider Cline used last wins when the user
 * set both OpenAI providers.
 */
export function userProviderBaseUrls(env: Env): Partial<Record<UpstreamName, string>> {
  const providers = userProviders(env);
  const last = providerInUse([], providers);
  const ids = Object.keys(ROUTED).sort((a, b) => Number(b === last) - Number(a === last));
  const out: Partial<Record<UpstreamName, string>> = {};
  for (const id of ids) {
    const upstream = ROUTED[id]!;
    const url = upstreamFromBaseUrl(str(entrySettings(providers, id).baseUrl));
    if (url && out[upstream] === undefined) out[upstream] = url;
  }
  return out;
}
