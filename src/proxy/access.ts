import type { IncomingHttpHeaders } from 'node:http';

/**
 * Which callers the proxy answers: requests must name it by a host it answers to (so a web
 * page that rebinds its own DNS name to 127.0.0.1 is refused), and a browser's `Origin`, when
 * present, must be one of those hosts too (so no other web page can post to it).
 */
export interface Access {
  /** Why the request is refused, or undefined when it may go on. */
  refusal(headers: IncomingHttpHeaders): string | undefined;
}

interface HostPort {
  /** Lower case; IPv6 addresses in brackets. */
  name: string;
  port: number | undefined;
}

/** The names the proxy always answers to. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** Addresses that listen everywhere: no client names the proxy by them. */
const UNSPECIFIED = new Set(['0.0.0.0', '[::]']);

/** A Host value (or an --allow-remote entry): a name or an IP, an optional port; nothing else. */
const HOST_RE = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/i;

/** Reads `name[:port]`, or undefined when it is not a bare host. */
export function parseHostPort(value: string): HostPort | undefined {
  const m = HOST_RE.exec(value.trim());
  if (!m) return undefined;
  return { name: m[1]!.toLowerCase(), port: m[2] === undefined ? undefined : Number(m[2]) };
}

/**
 * The access rules of a proxy listening on `listenHost:port`: the loopback names and the
 * listening address with its port, and each `allowed` entry (`name` with the proxy's port,
 * or `name:port` as clients reach it through a port forward or a TLS terminator).
 */
export function accessFor(listenHost: string, port: number, allowed: readonly string[]): Access {
  const listen = listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
  const rules: HostPort[] = [...LOOPBACK_NAMES, ...(UNSPECIFIED.has(listen) ? [] : [listen])].map((name) => ({ name: name.toLowerCase(), port }));
  for (const entry of allowed) {
    const rule = parseHostPort(entry);
    if (!rule) throw new TypeError(`"${entry}" is not a host name or address (with an optional :port)`);
    rules.push({ name: rule.name, port: rule.port ?? port });
  }
  const answersTo = (h: HostPort): boolean =>
    // A client leaves the port out when it is its scheme's default.
    rules.some((r) => r.name === h.name && (h.port === undefined ? r.port === 80 || r.port === 443 : r.port === h.port));
  const names = rules.map((r) => `${r.name}:${r.port}`).join(', ');
  return {
    refusal(headers) {
      const host = headers.host;
      const parsed = host === undefined ? undefined : parseHostPort(host);
      if (!parsed || !answersTo(parsed)) {
        return `headroom: refused a request for host "${host ?? ''}": this proxy answers only to ${names} (more with --allow-remote)`;
      }
      const origin = headers.origin;
      if (origin !== undefined && !answersTo(originHost(origin) ?? { name: '', port: 0 })) {
        return `headroom: refused a request from the web page at "${origin}": web pages may not call this proxy`;
      }
      return undefined;
    },
  };
}

/** The host and port of an `Origin` header (`scheme://host[:port]`), or undefined for `null` and the like. */
function originHost(origin: string): HostPort | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { name: url.hostname.toLowerCase(), port };
}
