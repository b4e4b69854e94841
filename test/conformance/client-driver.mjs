#!/usr/bin/env node
// A conformance *client* built on `switchboard connect`: the official suite runs
//   node test/conformance/client-driver.mjs <server-url>
// with MCP_CONFORMANCE_SCENARIO (and, for auth scenarios with pre-issued credentials, MCP_CONFORMANCE_CONTEXT).
// This driver spawns `switchboard connect <url>` and acts as the stdio host (a v1 SDK Client) on top of it, doing
// what each scenario expects of a client. Everything that reaches the scenario's server — transport detection,
// sessions, SSE resumption, OAuth discovery/registration/PKCE/step-up — is done by connect, not by this driver.
//
// Exit code 0 when the client side did its part; 1 otherwise (the suite then collects the server's checks).
// Env: SWITCHBOARD_DRIVER_LOG=<file> appends connect's stderr there (default: our stderr).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const BROWSER = `${process.execPath} ${join(ROOT, 'test/fixtures/follow-browser.mjs')}`;

const url = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');
// The client metadata document URL this "host" publishes (the suite's AS expects exactly this one for CIMD).
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';

/** connect's flags for this scenario: pre-issued credentials come from the context, everything else is discovered. */
function connectFlags(configDir) {
  const flags = ['connect', url, '--config-dir', configDir, '--log-level', 'debug', '--auth-timeout', '20s'];
  if (context.client_id && context.private_key_pem) {
    const key = join(configDir, 'client-key.pem');
    writeFileSync(key, context.private_key_pem, { mode: 0o600 });
    flags.push('--client-credentials', '--client-id', context.client_id, '--private-key-file', key, '--signing-alg', context.signing_algorithm ?? 'ES256');
  } else if (context.client_id && context.client_secret && scenario.startsWith('auth/client-credentials')) {
    flags.push('--client-credentials', '--client-id', context.client_id);
  } else if (context.client_id) {
    flags.push('--client-id', context.client_id);
  } else {
    // Like a host configured once for every server: connect uses it only where the AS supports CIMD, else registers.
    flags.push('--client-metadata-url', CLIENT_METADATA_URL);
  }
  return flags;
}

/** Obvious arguments for a tool: numbers 1, 2, …; strings "test"; booleans true; schema defaults when given. */
function argumentsFor(tool) {
  const props = tool.inputSchema?.properties ?? {};
  const args = {};
  let n = 0;
  for (const [name, p] of Object.entries(props)) {
    if (p.default !== undefined) args[name] = p.default;
    else if (p.type === 'number' || p.type === 'integer') args[name] = ++n;
    else if (p.type === 'boolean') args[name] = true;
    else if (p.type === 'string') args[name] = p.enum?.[0] ?? 'test';
  }
  return args;
}

/** Accept an elicitation, filling every field the "user" left empty with the schema's default (SEP-1034). */
function acceptWithDefaults(request) {
  const content = {};
  for (const [name, p] of Object.entries(request.params.requestedSchema?.properties ?? {})) {
    if (p.default !== undefined) content[name] = p.default;
  }
  return { action: 'accept', content };
}

async function main() {
  const configDir = mkdtempSync(join(tmpdir(), 'sb-conformance-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...connectFlags(configDir)],
    env: {
      ...process.env,
      SWITCHBOARD_BROWSER: BROWSER,
      ...(context.client_secret ? { SWITCHBOARD_CLIENT_SECRET: context.client_secret } : {}),
    },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'switchboard-conformance-driver', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, async (req) => acceptWithDefaults(req));
  try {
    await client.connect(transport);
    if (scenario !== 'initialize') {
      const { tools } = await client.listTools();
      for (const tool of tools) {
        const r = await client.callTool({ name: tool.name, arguments: argumentsFor(tool) }, undefined, { timeout: 20_000 });
        process.stderr.write(`[driver] ${tool.name} → ${JSON.stringify(r).slice(0, 200)}\n`);
      }
    }
    return 0;
  } catch (err) {
    process.stderr.write(`[driver] ${scenario}: ${err?.stack ?? err}\n`);
    return 1;
  } finally {
    await client.close().catch(() => {});
    rmSync(configDir, { recursive: true, force: true });
  }
}

process.exit(await main());
