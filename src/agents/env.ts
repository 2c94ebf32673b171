import { homedir } from 'node:os';
import { join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

/** The first of `names` set to a non-empty value in `env`. */
export function firstSet(env: Env, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n]?.trim();
    if (v) return v;
  }
  return undefined;
}

/**
 * The proxy upstream for a base URL the user had pointed the agent at. The proxy forwards
 * the agent's own path (`/v1/...`), so a trailing `/v1` of the user's URL is dropped.
 */
export function upstreamFromBaseUrl(url: string | undefined): string | undefined {
  if (!url || !/^https?:\/\//i.test(url)) return undefined;
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** A path under the user's home (HOME in `env`, else the OS's). */
export function inHome(env: Env, ...parts: string[]): string {
  return join(env.HOME || homedir(), ...parts);
}
