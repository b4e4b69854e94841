// Benchmark for @switchboard/openapi. Run after `pnpm build`: node bench/openapi/run.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { generateSpec } from './generate.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const work = fileURLToPath(new URL('../.work/', import.meta.url));
mkdirSync(work, { recursive: true });
const specPath = `${work}openapi-large.json`;
writeFileSync(specPath, JSON.stringify(generateSpec(), null, 1));
const sizeMb = statSync(specPath).size / 1024 / 1024;

const runs = 3;
function measure(mode, maxTools = '2000') {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(JSON.parse(execFileSync(process.execPath, [`${here}measure.mjs`, specPath, mode, maxTools], { encoding: 'utf8' })));
  const median = (key) => results.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs / 2)];
  return { ...results[0], ...Object.fromEntries(Object.keys(results[0]).filter((k) => typeof results[0][k] === 'number').map((k) => [k, median(k)])) };
}

const all = measure('all');
const curated = measure('list');
const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? cpus()[0]?.model ?? 'unknown';
const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
const f = (n) => n.toFixed(n < 10 ? 2 : 0);
const verdict = (ok) => (ok ? 'meets' : 'MISSES');

const md = `# @switchboard/openapi benchmark

Date: ${new Date().toISOString().slice(0, 10)} · Machine: ${nproc} CPUs (\`nproc\`), ${cpu} · Node ${process.version}

Command: \`pnpm build && node bench/openapi/run.mjs\` (each figure is the median of ${runs} fresh processes).

Input: a deterministic generated OpenAPI 3.0 spec (\`bench/openapi/generate.mjs\`): ${all.operations} operations,
${f(sizeMb)} MB of JSON, 250 component schemas sharing \`$ref\`s, a recursive \`Node\` schema, operations without operationId,
deepObject and form-urlencoded parameters. No npm package ships a pinned ≥1,000-operation spec, hence the generator.

| Scenario | Load (parse) | Compile | Total | Peak RSS | Tools | tools/list ≈ tokens | Target |
|---|---|---|---|---|---|---|---|
| All ${all.tools} operations as tools (\`maxTools: 2000\`) | ${f(all.loadMs)} ms | ${f(all.compileMs)} ms | ${f(all.totalMs)} ms | ${f(all.peakRssMb)} MB | ${all.tools} | ${all.tokens} | compile ≤ 1.5 s: ${verdict(all.totalMs <= 1500)}; RSS ≤ 300 MB: ${verdict(all.peakRssMb <= 300)} |
| Curated (\`--include tag:group1 tag:group2\`) + in-memory SDK Client | ${f(curated.loadMs)} ms | ${f(curated.compileMs)} ms | ${f(curated.totalMs)} ms | ${f(curated.peakRssMb)} MB | ${curated.tools} | ${curated.tokens} | |

tools/list latency (SDK \`Client\` ↔ \`McpServer\` over \`InMemoryTransport\`, ${curated.tools} tools, 300 calls after 20 warm-ups):
p50 ${f(curated.listP50Ms)} ms, p95 ${f(curated.listP95Ms)} ms — target p50 ≤ 5 ms: ${verdict(curated.listP50Ms <= 5)}.

"Total" is load + compile, i.e. the time from a spec path to a ready tool table.

Comparison with \`openapi-mcp-generator\` / \`@ivotoby/openapi-mcp-server\`: not run (time); they would be bench-only
devDependencies of a separate bench package.
`;
writeFileSync(fileURLToPath(new URL('../RESULTS-openapi.md', import.meta.url)), md);
process.stdout.write(md);
