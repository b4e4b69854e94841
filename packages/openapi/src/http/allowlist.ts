import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { EgressDeniedError } from '../errors.js';
import { isPrivateAddress } from './address.js';

/** Resolves a hostname to every address it answers with (injectable so tests can simulate DNS rebinding). */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const defaultResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export function normaliseHost(hostname: string): string {
  let host = hostname.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

export function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/**
 * Hosts an adapter may talk to. Entries are `host` (any port) or `host:port`; `*` admits any
 * host (used only for fetching a spec the operator named, where the private-address check
 * still applies).
 */
export class HostAllowlist {
  private readonly anyPort = new Set<string>();
  private readonly exact = new Set<string>();
  private wildcard = false;

  constructor(entries: Iterable<string> = []) {
    for (const entry of entries) this.add(entry);
  }

  add(entry: string): void {
    const trimmed = entry.trim();
    if (trimmed === '*') {
      this.wildcard = true;
      return;
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
      this.addUrl(new URL(trimmed));
      return;
    }
    // `[v6]:port`, `host:port` or bare host (a bare v6 literal has several colons and no port).
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
    if (bracketed) {
      if (bracketed[2]) this.exact.add(`${normaliseHost(bracketed[1]!)}:${bracketed[2]}`);
      else this.anyPort.add(normaliseHost(bracketed[1]!));
      return;
    }
    const hostPort = /^([^:]+):(\d+)$/.exec(trimmed);
    if (hostPort) this.exact.add(`${normaliseHost(hostPort[1]!)}:${hostPort[2]}`);
    else this.anyPort.add(normaliseHost(trimmed));
  }

  /** Admits exactly the origin of `url` (scheme default port when none is given). */
  addUrl(url: URL): void {
    this.exact.add(`${normaliseHost(url.hostname)}:${url.port || defaultPort(url.protocol)}`);
  }

  allows(hostname: string, port: string | number): boolean {
    if (this.wildcard) return true;
    const host = normaliseHost(hostname);
    return this.anyPort.has(host) || this.exact.has(`${host}:${port}`);
  }

  allowsUrl(url: URL): boolean {
    return this.allows(url.hostname, url.port || defaultPort(url.protocol));
  }

  entries(): string[] {
    return [...(this.wildcard ? ['*'] : []), ...this.anyPort, ...this.exact].sort();
  }
}

export interface EgressPolicy {
  allowlist: HostAllowlist;
  /** Permit loopback/private/link-local destinations (local development, tests). */
  allowPrivate?: boolean;
  resolve?: Resolver;
  connectTimeoutMs?: number;
  /** Concurrent sockets per origin. */
  connections?: number;
}

/**
 * A `net` lookup that fails unless every DNS answer is public (or allowPrivate). Because the
 * socket connects to the very address checked here, a rebinding DNS server cannot swap in a
 * private address between check and use.
 */
export function guardedLookup(policy: Pick<EgressPolicy, 'allowPrivate' | 'resolve'>): LookupFunction {
  const resolve = policy.resolve ?? defaultResolver;
  return ((hostname: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then(
      (answers) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family) || 0;
        const usable = family ? answers.filter((a) => a.family === family) : answers;
        if (usable.length === 0) {
          callback(Object.assign(new Error(`DNS lookup for ${hostname} returned no usable address`), { code: 'ENOTFOUND' }));
          return;
        }
        if (!policy.allowPrivate) {
          const bad = answers.find((a) => isPrivateAddress(a.address));
          if (bad) {
            callback(
              new EgressDeniedError(
                `Refused to connect to ${hostname}: it resolves to ${bad.address}, a private, loopback or link-local address. ` +
                  `Set allowPrivate only if this API really lives on a private network.`,
              ),
            );
            return;
          }
        }
        if (options.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: Error) => callback(error),
    );
  }) as unknown as LookupFunction;
}

/** Walks an error's cause chain for our egress refusal, which undici may wrap. */
export function findEgressDenial(error: unknown): EgressDeniedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof EgressDeniedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
