/**
 * Translated MRTR under concurrency: several 2026-07-28 clients at once, through one bridge, to a 2025-era stdio
 * server that asks them for input (sampling, elicitation). A 2025 server's request for input names neither the
 * call it belongs to nor an input key, so each client must get exactly its own question and its own final answer
 * (the regression: every flow got another flow's continuation, or timed out).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { EVERYTHING, ROOT, startBridge, type RunningBridge } from './helpers/bridge.js';
import { parseMessages } from './helpers/http.js';

const N = 6;
const FIXTURE_2026 = `${ROOT}test/fixtures/conformance-2026-server.mjs`;

describe('concurrent sampling through the bridge to server-everything (v1 SDK, 2025-only)', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge(['--log-level', 'warn', '--isolation', 'shared'], [process.execPath, EVERYTHING, 'stdio']);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it(`${N} clients each answer only their own sampling request and get their own result`, async () => {
    const misrouted: string[] = [];
    const clients = Array.from({ length: N }, (_, i) => {
      const client = new Client({ name: `mrtr-${i}`, version: '1' }, { versionNegotiation: { mode: 'auto' }, capabilities: { sampling: {} } });
      client.setRequestHandler('sampling/createMessage', async (req) => {
        const asked = JSON.stringify(req.params.messages);
        if (!asked.includes(`prompt-of-${i}.`)) misrouted.push(`client ${i} was asked ${asked}`);
        return { model: 'm', role: 'assistant', content: { type: 'text', text: `answer-of-${i}.` } };
      });
      return client;
    });
    await Promise.all(clients.map((c) => c.connect(new StreamableHTTPClientTransport(new URL(bridge.url)))));
    try {
      expect(clients.map((c) => c.getProtocolEra())).toEqual(Array(N).fill('modern'));
      const results = await Promise.all(clients.map((c, i) => c.callTool({ name: 'trigger-sampling-request', arguments: { prompt: `prompt-of-${i}.`, maxTokens: 5 } })));
      expect(misrouted).toEqual([]);
      results.forEach((r, i) => {
        const text = JSON.stringify(r.content);
        expect(text).toContain(`answer-of-${i}.`);
        for (let j = 0; j < N; j++) if (j !== i) expect(text).not.toContain(`answer-of-${j}.`);
      });
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }, 240_000);
});

/** The repro of test/conformance/mrtr-crosstalk.mjs: raw 2026 requests, two input rounds per flow. */
describe.each(['shared', 'per-session'])('concurrent multi-round flows through bridge --isolation %s (v2 fixture over stdio, 2025 session)', (isolation) => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge(['--log-level', 'warn', '--isolation', isolation], [process.execPath, FIXTURE_2026]);
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  const TOOL = 'test_input_required_result_multi_round';
  let nextId = 1;
  interface CallResult {
    resultType?: string;
    requestState?: string;
    inputRequests?: Record<string, { method: string; params: { message: string } }>;
    content?: Array<{ text?: string }>;
  }
  async function call(extra: Record<string, unknown> = {}): Promise<CallResult> {
    const id = nextId++;
    const res = await fetch(bridge.url, {
      method: 'POST',
      signal: AbortSignal.timeout(90_000),
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': TOOL },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: {
          name: TOOL,
          arguments: {},
          ...extra,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'mrtr-e2e', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
          },
        },
      }),
    });
    const msg = parseMessages(res.headers.get('content-type'), await res.text()).find((m) => m.id === id);
    if (!msg) throw new Error(`HTTP ${res.status}: no response for id ${id}`);
    if (msg.error) throw new Error(`JSON-RPC error ${msg.error.code}: ${msg.error.message}`);
    return msg.result;
  }
  /** The one question of a round: its key, and what it asks. */
  const question = (r: CallResult) => {
    expect(r.resultType).toBe('input_required');
    const entries = Object.entries(r.inputRequests ?? {});
    expect(entries).toHaveLength(1);
    return { key: entries[0]![0], method: entries[0]![1].method, message: entries[0]![1].params.message };
  };
  const answer = (r: CallResult, content: unknown) => ({ inputResponses: { [question(r).key]: { action: 'accept', content } }, requestState: r.requestState });

  it(`${N} flows each get their own two questions and their own final answer`, async () => {
    const flows = Array.from({ length: N }, (_, i) => ({ name: `user${i}`, colour: `colour${i}` }));
    const r1 = await Promise.all(flows.map(() => call()));
    expect(r1.map((r) => question(r).message)).toEqual(Array(N).fill('Step 1: What is your name?'));
    const r2 = await Promise.all(flows.map((f, i) => call(answer(r1[i]!, { name: f.name }))));
    expect(r2.map((r) => question(r).message)).toEqual(Array(N).fill('Step 2: What is your favorite color?'));
    const r3 = await Promise.all(flows.map((f, i) => call(answer(r2[i]!, { color: f.colour }))));
    expect(r3.map((r) => [r.resultType, r.content?.[0]?.text])).toEqual(flows.map((f) => ['complete', `${f.name} likes ${f.colour}`]));
  }, 240_000); // each flow may start a server process of its own: seconds apiece on a loaded machine
});
