import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { EgressDeniedError } from '../errors.js';
import { isPrivateAddress } from './address.js';
import { defaultPort, guardedLookup, normaliseHost, type EgressPolicy } from './allowlist.js';

// Kept apart from allowlist.ts so the allowlist can be used without loading undici (a start-up cost).
/**
 * An undici Agent (pooled, keep-alive) whose connector enforces the allowlist and the
 * private-address rule on every new connection, including connections opened for redirects.
 */
export function createGuardedAgent(policy: EgressPolicy): Agent {
  const connectTimeout = policy.connectTimeoutMs ?? 10_000;
  const base = buildConnector({ lookup: guardedLookup(policy), timeout: connectTimeout });
  const connector: buildConnector.connector = (options, callback) => {
    const host = normaliseHost(options.hostname);
    const port = options.port || defaultPort(options.protocol);
    if (!policy.allowlist.allows(host, port)) {
      callback(new EgressDeniedError(`Refused to connect to ${host}:${port}: host is not on the allowlist (${policy.allowlist.entries().join(', ') || 'empty'}).`), null);
      return;
    }
    if (isIP(host) && !policy.allowPrivate && isPrivateAddress(host)) {
      callback(new EgressDeniedError(`Refused to connect to ${host}: private, loopback or link-local address. Set allowPrivate to permit.`), null);
      return;
    }
    base(options, callback);
  };
  return new Agent({ connect: connector, connections: policy.connections ?? 16, keepAliveTimeout: 10_000 });
}

