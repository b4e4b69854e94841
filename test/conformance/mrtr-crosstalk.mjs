#!/usr/bin/env node
// Repro for the translated-MRTR cross-talk (fixed; test/bridge-mrtr.test.ts runs it): N concurrent 2026-07-28 clients each
// run test_input_required_result_multi_round (step 1: name, step 2: colour) through one URL, answering with
// their own name/colour; each must end with "<its name> likes <its colour>".
//
//   node test/fixtures/serve-http-2026.mjs 3001 &                               # direct: 0/N wrong
//   node packages/cli/dist/main.js bridge --port 3002 -- node test/fixtures/conformance-2026-server.mjs &
//   node test/conformance/mrtr-crosstalk.mjs http://127.0.0.1:3002/mcp 6        # was N/N wrong, now 0/N
// Exit code: 0 when every flow got its own result, 1 otherwise.
const url = process.argv[2];
const N = Number(process.argv[3] ?? 6);
if (!url || !(N >= 1 && N <= 100)) {
  console.error('usage: mrtr-crosstalk.mjs <mcp url> [flows 1..100]');
  process.exit(2);
}
const TOOL = 'test_input_required_result_multi_round';
let nextId = 1;
async function call(extra = {}) {
  const id = nextId++;
  const body = {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: {
      name: TOOL,
      arguments: {},
      ...extra,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'mrtr-crosstalk', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
      },
    },
  };
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': TOOL },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  const json = text.trimStart().startsWith('{')
    ? text
    : text.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).find((l) => l.includes(`"id":${id}`));
  if (!json) throw new Error(`HTTP ${res.status}: no response for id ${id}: ${text.slice(0, 300)}`);
  const msg = JSON.parse(json);
  if (msg.error) throw new Error(`JSON-RPC error ${msg.error.code}: ${msg.error.message}`);
  return msg.result;
}
const key = (r) => Object.keys(r?.inputRequests ?? {})[0];
const show = (r) => r?.inputRequests?.[key(r)]?.params?.message ?? r?.content?.[0]?.text ?? JSON.stringify(r);
const answer = (r, content) => ({ inputResponses: { [key(r)]: { action: 'accept', content } }, ...(r.requestState ? { requestState: r.requestState } : {}) });

const flows = Array.from({ length: N }, (_, i) => ({ name: `user${i}`, colour: `colour${i}` }));
const settle = (ps) => Promise.all(ps.map((p) => p.then((v) => v, (e) => ({ error: String(e?.message ?? e) }))));
const r1 = await settle(flows.map(() => call()));
const r2 = await settle(flows.map((f, i) => (key(r1[i]) ? call(answer(r1[i], { name: f.name })) : Promise.resolve(r1[i]))));
const r3 = await settle(flows.map((f, i) => (key(r2[i]) ? call(answer(r2[i], { color: f.colour })) : Promise.resolve(r2[i]))));
let wrong = 0;
flows.forEach((f, i) => {
  const ok = r3[i]?.content?.[0]?.text === `${f.name} likes ${f.colour}`;
  if (!ok) wrong++;
  console.log(`${f.name}: ${show(r3[i])}${ok ? '' : '   <-- not its own result'}`);
});
console.log(`${wrong}/${N} flows did not get their own result`);
process.exit(wrong ? 1 : 0);
