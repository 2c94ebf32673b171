import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { firstSet, inHome, upstreamFromBaseUrl, type Env } from './env.js';
import { isObject, type Json } from './transcript.js';
import { LaunchError } from './types.js';
import { stripBom } from '../utf8-bom.js';

/**
 * Continue's CLI configuration as far as headroom needs it. `cn` reads the config file named by
 * `--config <path>`, else `config.yaml` in its global folder (CONTINUE_GLOBAL_DIR, else
 * ~/.continue), else the Continue Hub's default assistant (which needs a hub login). A run is
 * routed by a copy of that file, written for the run only and passed as `--config`, in which
 * the models of the routed providers have the proxy as their `apiBase`.
 */

/** yaml, loaded when a Continue run is launched: every command imports the agents, and `--help` should not load it. */
const yaml = (): typeof import('yaml') => createRequire(import.meta.url)('yaml') as typeof import('yaml');

/** The providers headroom routes, each named as the proxy upstream its traffic goes to. */
const ROUTED_PROVIDERS = ['openai', 'anthropic'] as const;
type Routed = (typeof ROUTED_PROVIDERS)[number];

/** A `--config` value `cn` reads as a file (its own rule); anything else is a hub slug. */
function isConfigPath(value: string): boolean {
  return /^[.\/~]/.test(value) || /\.(ya?ml|json)/.test(value);
}

/** The `--config` value among the user's arguments and the arguments without it. */
export function configFlag(args: readonly string[]): { value?: string; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (a === '--config' && i + 1 < args.length) value = args[++i];
    else if (a.startsWith('--config=')) value = a.slice('--config='.length);
    else rest.push(a);
  }
  return value === undefined ? { rest } : { value, rest };
}

/** Continue's global folder. */
function globalDir(env: Env): string {
  return firstSet(env, 'CONTINUE_GLOBAL_DIR') ?? inHome(env, '.continue');
}

/** The config file `cn` would read for these arguments; throws LaunchError when it is not a local file. */
export function userConfigPath(args: readonly string[], env: Env): string {
  const { value } = configFlag(args);
  if (value !== undefined) {
    if (!isConfigPath(value)) throw new LaunchError(`--config ${value} names a Continue Hub assistant; headroom routes a local config file only (a config.yaml with your models).`);
    return value.startsWith('~/') ? inHome(env, value.slice(2)) : resolve(value);
  }
  const path = join(globalDir(env), 'config.yaml');
  if (!existsSync(path)) throw new LaunchError(`${path} does not exist, so Continue would use its hub's default assistant; headroom routes a local config file only: create it with your models, or pass --config <file>.`);
  return path;
}

/** The config at `path` as an object; throws LaunchError when it cannot be read or is not a YAML mapping. */
export function readConfig(path: string): Json {
  let value: unknown;
  try {
    value = yaml().parse(stripBom(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new LaunchError(`Cannot read Continue's config ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!isObject(value)) throw new LaunchError(`Continue's config ${path} is not a YAML mapping.`);
  return value;
}

/** The upstream of each routed provider: its first model's apiBase ('' for the provider's own API). */
function chosenUpstreams(config: Json): Partial<Record<Routed, string>> {
  const out: Partial<Record<Routed, string>> = {};
  for (const m of models(config)) {
    const provider = m.provider as Routed;
    if (!ROUTED_PROVIDERS.includes(provider) || out[provider] !== undefined) continue;
    out[provider] = upstreamOf(m);
  }
  return out;
}

function models(config: Json): Json[] {
  return Array.isArray(config.models) ? config.models.filter(isObject) : [];
}

function upstreamOf(model: Json): string {
  return typeof model.apiBase === 'string' ? (upstreamFromBaseUrl(model.apiBase) ?? '') : '';
}

/**
 * The upstreams from the user's config: the apiBase of the first model of each routed provider
 * (none when it has none, so the proxy's default, the provider's public API). {} when the config
 * cannot be found or read (launch then says why).
 */
export function userUpstreams(args: readonly string[], env: Env): Partial<Record<Routed, string>> {
  let config: Json;
  try {
    config = readConfig(userConfigPath(args, env));
  } catch {
    return {};
  }
  const out: Partial<Record<Routed, string>> = {};
  for (const [provider, upstream] of Object.entries(chosenUpstreams(config))) if (upstream) out[provider as Routed] = upstream;
  return out;
}

/**
 * The config for a routed run, as YAML: the user's, in which each model of a routed provider
 * whose apiBase leads to that provider's upstream (see userUpstreams) has the proxy as its
 * apiBase. Models of other providers, of a second base URL, and `uses:` blocks go where they
 * went. Relative `uses:` paths are made absolute, as the copy lives elsewhere. Throws LaunchError
 * when no model is routed.
 */
export function routedConfig(config: Json, configPath: string, proxyUrl: string): string {
  const upstreams = chosenUpstreams(config);
  if (Object.keys(upstreams).length === 0) {
    throw new LaunchError(`None of the models in Continue's config ${configPath} uses the openai or anthropic provider, the ones headroom routes.`);
  }
  const base = dirname(configPath);
  const routeModel = (m: Json): Json => {
    const provider = m.provider as Routed;
    if (!ROUTED_PROVIDERS.includes(provider) || upstreamOf(m) !== upstreams[provider]) return m;
    return { ...m, apiBase: `${proxyUrl}/v1/` };
  };
  const absolute = (item: unknown): unknown => {
    if (!isObject(item) || typeof item.uses !== 'string' || !item.uses.startsWith('.') || isAbsolute(item.uses)) return item;
    return { ...item, uses: resolve(base, item.uses) };
  };
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    if (!Array.isArray(value)) out[key] = value;
    else out[key] = value.map(absolute).map((item) => (key === 'models' && isObject(item) ? routeModel(item) : item));
  }
  return yaml().stringify(out);
}
