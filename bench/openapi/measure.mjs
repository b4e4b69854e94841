// One measurement in a fresh process so peak RSS belongs to this scenario alone.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// argv: spec path, mode ('all' | 'list'), maxTools, and for 'list' the selection as JSON ({ include, exclude }).
const [specPath, mode, maxTools, selectionJson] = process.argv.slice(2);
const lib = await import(new URL('../../packages/openapi/dist/index.js', import.meta.url));
const t0 = performance.now();
const spec = await lib.loadSpec(specPath);
const t1 = performance.now();
const options = mode === 'all' ? { maxTools: Number(maxTools), includeDeprecated: true } : { ...JSON.parse(selectionJson), maxTools: Number(maxTools) };
const table = lib.compile(spec, options);
const t2 = performance.now();
const result = { loadMs: t1 - t0, compileMs: t2 - t1, totalMs: t2 - t0, tools: table.report.toolCount, operations: table.report.operationCount, tokens: table.report.estimatedTokens };

if (mode === 'list') {
  const require = createRequire(new URL('../../packages/openapi/package.json', import.meta.url));
  const { Client, InMemoryTransport } = await import(pathToFileURL(require.resolve('@modelcontextprotocol/client').replace(/index\.cjs$/, 'index.mjs')).href);
  const factory = lib.createOpenApiServer(table, { log: () => {} });
  const [c, s] = InMemoryTransport.createLinkedPair();
  await factory().connect(s);
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(c);
  for (let i = 0; i < 20; i++) await client.listTools();
  const samples = [];
  for (let i = 0; i < 300; i++) {
    const start = performance.now();
    await client.listTools();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  result.listP50Ms = samples[Math.floor(samples.length * 0.5)];
  result.listP95Ms = samples[Math.floor(samples.length * 0.95)];
  await client.close();
  await factory.close();
}
result.peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify(result));
