/**
 * Protocol versions and the `_meta` keys of the 2026-07-28 envelope, in one place.
 *
 * The values are the SDK's (`@modelcontextprotocol/server` exports each of them; protocol.test.ts checks
 * they agree). They are written out here rather than imported because the SDK's entry point costs
 * 150–300 ms to load, and a bridge serving only 2025-era clients must not pay that on every start.
 */

/** The stateless revision: no initialize, no session; every request carries its own envelope. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** The session-based revisions we serve, newest first (the SDK's order). */
export const SESSION_PROTOCOL_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

/** The newest session-based revision: what we ask for when we open a 2025-era server ourselves. */
export const LATEST_SESSION_PROTOCOL_VERSION = SESSION_PROTOCOL_VERSIONS[0]!;

export function isSessionProtocolVersion(v: unknown): v is string {
  return typeof v === 'string' && SESSION_PROTOCOL_VERSIONS.includes(v);
}

/** `_meta` keys of the 2026-07-28 request envelope and of results and notifications. */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** The envelope keys a 2025-era server has never heard of: stripped before a request reaches one. */
export const ENVELOPE_KEYS: readonly string[] = [META.protocolVersion, META.clientInfo, META.clientCapabilities, META.logLevel];

/** Methods the 2026-07-28 revision removed: a stateless client sending one gets -32601 with HTTP 404. */
export const REMOVED_IN_MODERN: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
  'notifications/initialized',
]);

/** Client→server requests of the 2026-07-28 revision (what a translating front can serve at all). */
export const MODERN_CLIENT_METHODS: ReadonlySet<string> = new Set([
  'server/discover',
  'subscriptions/listen',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'completion/complete',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
]);

/** Requests whose `Mcp-Name` header must agree with a field of the body, and which field. */
export const NAMED_METHODS: Readonly<Record<string, 'name' | 'uri'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
};

/** A server may ask a client (2025: a request; 2026: an input request) only for what the client declared. */
export const CAPABILITY_FOR_SERVER_REQUEST: Readonly<Record<string, string>> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};
