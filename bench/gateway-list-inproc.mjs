#!/usr/bin/env node
// The gateway's own share of a tools/list at 500 tools, in process and without HTTP: the router and one session
// over two "up" backends of 250 tools each and a third that is down (as a hung one is once marked). Measures the
// answer as the face would write it (the session's message, then its serialisation), cached (the normal case)
// against the list rebuilt for every request (the cache invalidated first: what every list cost before the cache).
// CPU time per list, so a busy machine skews it less than wall-clock latency through sockets.
//   node bench/gateway-list-inproc.mjs [--n 2000]
import { join } from 'node:path';
import { ROOT, arg, describeMachine } from './lib/env.mjs';

const { Backend, GatewayRouter } = await import(join(ROOT, 'packages/gateway/dist/index.js'));
const { serialize } = await import(join(ROOT, 'packages/core/dist/serve.js'));
const N = Number(arg('n', 2000));

const tools = (n) => Array.from({ length: n }, (_, i) => ({ name: `tool_${i}`, description: `Tool number ${i}, which does one small thing.`, inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }));
const backend = (key, n, state) => {
  const b = new Backend({ key, upstream: { name: key, open: () => { throw new Error('not used'); } }, isolation: 'shared', deadlineMs: 1000, onChange: () => {} });
  b.state = state;
  b.catalog = state === 'up' ? { tools: tools(n), prompts: [], resources: [], templates: [], capabilities: { tools: {} } } : undefined;
  return b;
};
const router = new GatewayRouter({ backends: [backend('a', 250, 'up'), backend('b', 250, 'up'), backend('h', 0, 'down')], prefixes: { a: 'a', b: 'b', h: 'h' } });
router.catalogChanged();
const session = router.open({ era: '2025', session: { id: 'bench', kind: 'streamable' } });
let bytes = 0;
session.onmessage = (m) => {
  bytes = serialize(m).length;
};

async function measure(rebuild) {
  const cpu = [];
  for (let i = 0; i < N; i++) {
    if (rebuild) router.catalogChanged();
    const t0 = process.cpuUsage();
    await session.send({ jsonrpc: '2.0', id: i, method: 'tools/list', params: {} });
    const d = process.cpuUsage(t0);
    cpu.push((d.user + d.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  return { p50Ms: cpu[Math.floor(N / 2)], p99Ms: cpu[Math.floor(N * 0.99)], bytes };
}

await measure(false); // warm-up
const rebuilt = await measure(true);
const cached = await measure(false);
console.log(JSON.stringify({ machine: describeMachine(), tools: router.toolsFor(router.policyFor(undefined)).items.length, cached, rebuilt }, null, 2));
await router.stop();
