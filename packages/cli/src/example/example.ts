import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@switchboard-mcp/core/serve';
import { startNotesApi } from './notes-api.js';

// dist/example/ and dist/bundle/ sit at the same depth, so ../../examples holds in both layouts.
export const DEMO_SERVER = fileURLToPath(new URL('../../examples/demo-server.mjs', import.meta.url));
export const DEMO_SPEC = fileURLToPath(new URL('../../examples/demo-notes.yaml', import.meta.url));

/** The port the example prefers, so its Claude Desktop snippet stays the same from run to run. */
export const EXAMPLE_PORT = 8080;

/** What `switchboard gateway --example` runs beside the gateway, and the config that names it. */
export interface Example {
  configPath: string;
  /** The three backends, for the summary the example prints. */
  backends: { name: string; what: string }[];
  stop(): Promise<void>;
}

/**
 * Starts the example's two helpers in this process — the notes API on 127.0.0.1 and a bridge serving the demo
 * stdio server over Streamable HTTP (the "remote") — and writes a gateway config with three backends: the demo
 * server over stdio, the notes spec against the API, and the bridge's URL.
 */
export async function startExample(log: Logger): Promise<Example> {
  const api = await startNotesApi();
  const { StdioBridge } = await import('@switchboard-mcp/core/serve');
  const remote = new StdioBridge({
    host: '127.0.0.1',
    port: 0,
    logger: log.child({ example: 'remote' }),
    child: { command: process.execPath, args: [DEMO_SERVER], name: 'demo-remote' },
    isolation: 'shared',
  });
  let remoteUrl: string;
  try {
    remoteUrl = (await remote.start()).url;
  } catch (err) {
    await api.close();
    throw err;
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-example-'));
  const configPath = join(dir, 'gateway.json');
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        mcpServers: {
          demo: { command: process.execPath, args: [DEMO_SERVER] },
          // The API is on loopback over plain HTTP, which the OpenAPI adapter refuses unless told.
          notes: { openapi: { spec: DEMO_SPEC, baseUrl: api.url, allowPrivate: true, allowHttp: true } },
          remote: { url: remoteUrl, transport: 'streamable-http' },
        },
      },
      null,
      2,
    ),
  );
  return {
    configPath,
    backends: [
      { name: 'demo', what: `stdio: ${DEMO_SERVER}` },
      { name: 'notes', what: `OpenAPI: ${DEMO_SPEC} against ${api.url}` },
      { name: 'remote', what: `Streamable HTTP: ${remoteUrl} (the demo server bridged)` },
    ],
    stop: async () => {
      await Promise.allSettled([remote.stop(2000), api.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** EXAMPLE_PORT when it is free, else any free port: a demo should start, not fail on a busy 8080. */
export function examplePort(host: string): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(EXAMPLE_PORT, host, () => probe.close(() => resolve(EXAMPLE_PORT)));
  });
}
