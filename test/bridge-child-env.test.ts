/**
 * What reaches a child's environment: never the bridge's own secrets or settings (SWITCHBOARD_*), unless asked by
 * name; everything else by default, or only a listed few (--pass-env); --env adds or overrides.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ROOT, startBridge, type RunningBridge } from './helpers/bridge.js';

const ENV_SERVER = [process.execPath, `${ROOT}test/fixtures/env-server.mjs`];
const KEY = 'bridge-api-key-0123456789';
const ENV = { SWITCHBOARD_API_KEY: KEY, SWITCHBOARD_CLIENT_SECRET: 'client-secret-9876', PLAIN_VAR: 'plain', MYAPP_TOKEN: 't1', MYAPP_URL: 'u1' };

let bridge: RunningBridge | undefined;
afterEach(async () => {
  await bridge?.stop();
  bridge = undefined;
});

async function childEnv(args: string[]): Promise<Record<string, string>> {
  bridge = await startBridge(['--log-level', 'warn', ...args], ENV_SERVER, { env: ENV });
  const c = new Client({ name: 'env', version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL(bridge.url), { requestInit: { headers: { authorization: `Bearer ${KEY}` } } }));
  try {
    return (await c.callTool({ name: 'env', arguments: {} })).structuredContent as Record<string, string>;
  } finally {
    await c.close();
  }
}

describe('child environment', () => {
  it('by default: everything but SWITCHBOARD_*, plus --env', async () => {
    const env = await childEnv(['--env', 'EXTRA=1', '--env', 'PLAIN_VAR=overridden']);
    expect(Object.keys(env).filter((k) => k.startsWith('SWITCHBOARD_'))).toEqual([]);
    expect(JSON.stringify(env)).not.toContain(KEY);
    expect(env).toMatchObject({ PLAIN_VAR: 'overridden', MYAPP_TOKEN: 't1', EXTRA: '1', PATH: process.env.PATH, PYTHONUNBUFFERED: '1' });
  });

  it('with --pass-env: only the listed names and patterns, the basics (PATH, HOME…) and --env', async () => {
    const env = await childEnv(['--pass-env', 'MYAPP_*', '--pass-env', 'SWITCHBOARD_CLIENT_SECRET', '--env', 'EXTRA=2']);
    expect(env).toMatchObject({ MYAPP_TOKEN: 't1', MYAPP_URL: 'u1', EXTRA: '2', PATH: process.env.PATH, SWITCHBOARD_CLIENT_SECRET: 'client-secret-9876' });
    expect(env.PLAIN_VAR).toBeUndefined();
    expect(env.SWITCHBOARD_API_KEY).toBeUndefined();
  });
});
