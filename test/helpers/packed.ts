// The published artifact, as users get it: the CLI packed exactly as `pnpm publish` would pack it, installed with
// npm into a directory with no workspace around it, and (for `npx`) served by a throwaway npm registry on 127.0.0.1
// so `npx -y <name>` resolves and downloads it the way it will from npmjs.org — without any network.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { ROOT } from './bridge.js';

export const TMP = join(ROOT, 'test', '.tmp');

export interface Packed {
  tarball: string;
  name: string;
  version: string;
  manifest: Record<string, unknown>;
}

/** A fresh directory under test/.tmp (kept after the run: screenshots and logs are artifacts). */
export function tempDir(prefix: string): string {
  mkdirSync(TMP, { recursive: true });
  return mkdtempSync(join(TMP, `${prefix}-`));
}

/** `pnpm pack` of packages/cli, into a fresh directory. Needs `pnpm build` first (the bundle is what is packed). */
export function packCli(): Packed {
  const dest = tempDir('pack');
  const r = spawnSync('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', dest], {
    cwd: join(ROOT, 'packages', 'cli'),
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, COREPACK_INTEGRITY_KEYS: '0' },
  });
  if (r.status !== 0) throw new Error(`pnpm pack failed (${r.status}, ${r.error?.message ?? ''}):\n${r.stdout}\n${r.stderr}`);
  const file = readdirSync(dest).find((f) => f.endsWith('.tgz'));
  if (!file) throw new Error(`pnpm pack wrote no tarball into ${dest}:\n${r.stdout}`);
  const tarball = join(dest, file);
  const manifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  return { tarball, name: manifest.name, version: manifest.version, manifest };
}

/** An environment with nothing of this checkout or of pnpm in it: a user's shell, with its own HOME and npm cache. */
export function userEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(npm_|pnpm_|PNPM_|VITEST|NODE_OPTIONS$|INIT_CWD$)/i.test(k)) continue;
    env[k] = v;
  }
  mkdirSync(home, { recursive: true });
  return { ...env, HOME: home, npm_config_cache: join(home, '.npm'), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

/** `npm install -g --prefix <dir> <tarball> --offline`: what `npm i -g` does on a user's machine. Returns the bin. */
export function installGlobal(packed: Packed, dir: string): string {
  const prefix = join(dir, 'prefix');
  const r = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', packed.tarball], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 180_000,
    env: userEnv(join(dir, 'home')),
  });
  if (r.status !== 0) throw new Error(`npm install -g ${packed.tarball} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return join(prefix, 'bin', 'switchboard');
}

export interface Registry {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/**
 * The smallest npm registry that `npx` accepts: the packument of one package and its tarball, with the integrity
 * npm checks. Any other name is a 404, so a package that is not self-contained fails to install here.
 */
export async function startRegistry(packed: Packed): Promise<Registry> {
  const data = readFileSync(packed.tarball);
  const integrity = `sha512-${createHash('sha512').update(data).digest('base64')}`;
  const shasum = createHash('sha1').update(data).digest('hex');
  const requests: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? '/');
    requests.push(`${req.method} ${path}`);
    if (path === `/${packed.name}`) {
      const tarballUrl = `${base}/${packed.name}/-/cli-${packed.version}.tgz`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          name: packed.name,
          'dist-tags': { latest: packed.version },
          versions: { [packed.version]: { ...packed.manifest, _id: `${packed.name}@${packed.version}`, dist: { tarball: tarballUrl, integrity, shasum } } },
        }),
      );
      return;
    }
    if (path === `/${packed.name}/-/cli-${packed.version}.tgz`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
      res.end(data);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url: `${base}/`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

export interface Listening {
  url: string;
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Spawns a serving command (own process group) and waits for its "listening" line; the URL is read from it. */
export async function startListening(command: string, args: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<Listening> {
  const proc = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, signal);
    } catch {
      /* already gone */
    }
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not listen within ${opts.timeoutMs ?? 60_000} ms:\n${out}`));
    }, opts.timeoutMs ?? 60_000);
    const check = () => {
      const m = /switchboard: listening — (?:Streamable HTTP (\S+?)(?:,|\n)|SSE (\S+?)\n)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve((m[1] ?? m[2])!);
      }
    };
    proc.stderr!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      kill('SIGTERM');
      const t = setTimeout(() => kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Runs a command to completion without blocking this process (which may be serving the registry it talks to). */
export function run(command: string, args: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d) => (stdout += d));
    proc.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} took over ${opts.timeoutMs ?? 180_000} ms:\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 180_000);
    proc.once('error', reject);
    proc.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
