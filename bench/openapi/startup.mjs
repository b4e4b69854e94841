// Start-up benchmark for `switchboard openapi` (issue #10): spawn → first tools/list answered, and peak RSS, for
// switchboard cold (no cache), warm (catalog cache hit), a built --catalog, and the peers, on GitHub's spec — all
// operations, and a ~100-tool selection. Configurations are interleaved round by round on the same run, so a
// loaded machine slows them alike; each figure is the median of BENCH_ROUNDS (default 5) fresh processes.
// Run after `pnpm build` and `npm install --prefix bench`:  node bench/openapi/startup.mjs
// The generator's built project is used when bench/.work/generated-github/build/index.js exists (run.mjs makes it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeStdio } from './stdio-probe.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bench = fileURLToPath(new URL('../', import.meta.url));
const work = join(bench, '.work');
const cli = join(root, 'packages/cli/dist/main.js');
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const log = (line) => process.stderr.write(`[bench/openapi/startup] ${line}\n`);
const openapiRequire = createRequire(join(root, 'packages/openapi/package.json'));
const spec = join(dirname(openapiRequire.resolve('@octokit/openapi/package.json')), 'generated', 'api.github.com.json');
const benchRequire = createRequire(join(bench, 'package.json'));
const ivotobyBin = benchRequire.resolve('@ivotoby/openapi-mcp-server/package.json').replace(/package\.json$/, 'bin/mcp-server.js');
const generated = join(work, 'generated-github', 'build', 'index.js');
const baseUrl = 'https://api.github.com';

const cacheDir = join(work, 'startup-config');
rmSync(cacheDir, { recursive: true, force: true });
mkdirSync(cacheDir, { recursive: true });
const sbEnv = { SWITCHBOARD_CONFIG_DIR: cacheDir };
const all = ['--max-tools', '5000', '--include-deprecated'];
// ~100 tools: what a user would actually serve (GitHub's repos tag, read-only: 107 operations).
const selection = ['--include', 'tag:repos', '--exclude', 'method:POST', '--exclude', 'method:PUT', '--exclude', 'method:PATCH', '--exclude', 'method:DELETE', '--max-tools', '150'];
const sb = (extra) => ({ command: process.execPath, args: [cli, 'openapi', ...extra, '--base-url', baseUrl, '--log-level', 'error'], env: sbEnv });

// Catalog artifacts and a warm cache, made once before timing.
const catalogAll = join(work, 'github-all.tools.json');
const catalogSel = join(work, 'github-repos.tools.json');
execFileSync(process.execPath, [cli, 'openapi', 'build', spec, ...all, '-o', catalogAll], { stdio: 'ignore' });
execFileSync(process.execPath, [cli, 'openapi', 'build', spec, ...selection, '-o', catalogSel], { stdio: 'ignore' });
for (const extra of [[spec, ...all], [spec, ...all, '--page-bytes', '0'], [spec, ...selection]]) await probeStdio({ ...sb(extra), listCalls: 1, warmups: 0 });

const configs = {
  all: [
    ['switchboard, cold (--no-cache: parse + compile)', sb([spec, ...all, '--no-cache'])],
    ['switchboard, warm (catalog cache hit)', sb([spec, ...all])],
    ['switchboard, warm, one page (--page-bytes 0)', sb([spec, ...all, '--page-bytes', '0'])],
    ['switchboard --catalog (built artifact)', sb(['--catalog', catalogAll])],
    ['@ivotoby/openapi-mcp-server', { command: process.execPath, args: [ivotobyBin, '--api-base-url', baseUrl, '--openapi-spec', spec, '--transport', 'stdio'] }],
    ...(existsSync(generated) ? [['openapi-mcp-generator (built project)', { command: process.execPath, args: [generated], cwd: dirname(dirname(generated)), env: { API_BASE_URL: baseUrl } }]] : []),
  ],
  selection: [
    ['switchboard, cold (--no-cache: parse + compile)', sb([spec, ...selection, '--no-cache'])],
    ['switchboard, warm (catalog cache hit)', sb([spec, ...selection])],
    ['switchboard --catalog (built artifact)', sb(['--catalog', catalogSel])],
    ['@ivotoby/openapi-mcp-server (--tag repos --operation GET)', { command: process.execPath, args: [ivotobyBin, '--api-base-url', baseUrl, '--openapi-spec', spec, '--transport', 'stdio', '--tag', 'repos', '--operation', 'GET'] }],
  ],
};

const before = loadavg();
const samples = new Map();
for (let round = 0; round < rounds; round++) {
  for (const [group, list] of Object.entries(configs)) {
    // Rotate the order each round so no configuration always runs first (or right after a heavy one).
    const order = list.map((_, i) => list[(i + round) % list.length]);
    for (const [name, config] of order) {
      const r = await probeStdio({ listCalls: 3, warmups: 1, ...config });
      const key = `${group}\u0000${name}`;
      if (!samples.has(key)) samples.set(key, []);
      samples.get(key).push(r);
      log(`round ${round + 1}/${rounds} ${group}: ${name}: ${r.ok === false ? `failed ${r.error}` : `${r.readyMs.toFixed(0)} ms, ${r.peakRssMb?.toFixed(0)} MB, ${r.tools} tools`}`);
    }
  }
}
const after = loadavg();
const median = (values) => {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : undefined;
};
const out = { date: new Date().toISOString(), node: process.version, rounds, load: { before, after }, groups: {} };
for (const [key, runs] of samples) {
  const [group, name] = key.split('\u0000');
  const ok = runs.filter((r) => r.ok !== false);
  (out.groups[group] ??= []).push({
    name,
    runs: ok.length,
    readyMs: median(ok.map((r) => r.readyMs)),
    readyMin: Math.min(...ok.map((r) => r.readyMs)),
    readyMax: Math.max(...ok.map((r) => r.readyMs)),
    peakRssMb: median(ok.map((r) => r.peakRssMb)),
    tools: ok[0]?.tools,
    payloadBytes: ok[0]?.payloadBytes,
  });
}
writeFileSync(join(work, 'startup-results.json'), JSON.stringify(out, null, 1));

// Markdown for bench/RESULTS-openapi.md: ratio = this row ÷ the faster peer of its group (target ≤ 0.5×).
const f = (n) => (n === undefined ? '—' : n.toFixed(0));
let md = `Run ${out.date.slice(0, 16)}Z, Node ${out.node}, median of ${rounds} interleaved rounds; load average ${before.map((l) => l.toFixed(1)).join(' / ')} before, ${after.map((l) => l.toFixed(1)).join(' / ')} after.\n`;
for (const [group, rows] of Object.entries(out.groups)) {
  const peers = rows.filter((r) => !r.name.startsWith('switchboard'));
  const fastest = peers.reduce((a, b) => (a && a.readyMs <= b.readyMs ? a : b), undefined);
  md += `\n**${group === 'all' ? 'All 1,223 operations' : '~100-tool selection (tag:repos, GET only: 107 tools)'}** — faster peer: ${fastest?.name ?? '—'}\n\n`;
  md += '| Server | Ready (spawn → first tools/list answered), median [min–max] | ÷ faster peer | Peak RSS | Tools in first page | First page bytes |\n|---|---|---|---|---|---|\n';
  for (const r of rows) md += `| ${r.name} | ${f(r.readyMs)} ms [${f(r.readyMin)}–${f(r.readyMax)}] | ${fastest ? (r.readyMs / fastest.readyMs).toFixed(2) + '×' : '—'} | ${f(r.peakRssMb)} MB | ${r.tools} | ${r.payloadBytes} |\n`;
}
writeFileSync(join(work, 'startup-results.md'), md);
process.stdout.write(md);
