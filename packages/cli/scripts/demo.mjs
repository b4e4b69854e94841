#!/usr/bin/env node
// `pnpm demo`: the gateway on its built-in example (`switchboard gateway --example`: a stdio server, an OpenAPI
// spec against a local API, a bridged server as a remote). Builds first only when a source is newer than the build
// (a full build is ~40 s on a loaded 2-core box), and once the gateway listens prints one line saying how to try it.
// `pnpm demo -- --bridge` runs the earlier demo instead: `switchboard bridge --demo`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bundle = join(root, 'packages/cli/dist/bundle/switchboard.mjs');

/** Newest modification time under the given paths (sources and the files that steer the build). */
function newest(paths) {
  let latest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else latest = Math.max(latest, st.mtimeMs);
  };
  paths.forEach(visit);
  return latest;
}

const inputs = ['core', 'openapi', 'gateway', 'cli'].flatMap((p) => [`packages/${p}/src`, `packages/${p}/package.json`, `packages/${p}/tsconfig.json`]);
const stale = !existsSync(bundle) || newest([...inputs, 'tsconfig.base.json', 'pnpm-lock.yaml', 'packages/cli/scripts/bundle.mjs'].map((p) => join(root, p))) > statSync(bundle).mtimeMs;
if (stale) {
  process.stderr.write('demo: sources changed since the last build — building\n');
  // Under `pnpm demo`, npm_execpath is this pnpm; otherwise fetch the project's pnpm line.
  const pnpm = process.env.npm_execpath;
  const r = pnpm ? spawnSync(process.execPath, [pnpm, 'build'], { cwd: root, stdio: 'inherit' }) : spawnSync('npx', ['-y', 'pnpm@10', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
} else {
  process.stderr.write('demo: build is up to date\n');
}

// `pnpm demo -- --port 0` passes the `--` through: it is not ours to forward.
const extra = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
const bridge = extra.includes('--bridge');
const command = bridge ? ['bridge', '--demo', ...extra.filter((a) => a !== '--bridge')] : ['gateway', '--example', ...extra];
// Its own process group: a terminal's Ctrl-C reaches this script (and pnpm) only, and the one signal forwarded
// below is all the CLI gets — a second SIGINT would make it exit at once instead of stopping its servers.
const child = spawn(process.execPath, [bundle, ...command], { stdio: ['inherit', 'inherit', 'pipe'], detached: true });
let seen = '';
child.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  if (seen === null) return;
  seen += chunk;
  const m = /switchboard: listening — Streamable HTTP (\S+?),/.exec(seen);
  if (m) {
    seen = null;
    process.stderr.write(
      `demo: try it — npx -y @modelcontextprotocol/inspector --cli ${m[1]} --method tools/list   (the Inspector needs Node ≥ 22.19; or put ${m[1]} in any MCP client, or for Claude Desktop: pnpm switchboard connect ${m[1]} --print-config)\n`,
    );
  }
});
// pnpm may pass on the signal this script got from the terminal too: one burst is forwarded once, and a signal
// a second or more later (a deliberate second Ctrl-C) goes through, so the CLI exits at once.
let forwardedAt = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (Date.now() - forwardedAt < 1000) return;
    forwardedAt = Date.now();
    child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
