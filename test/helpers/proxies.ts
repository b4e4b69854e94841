import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, freePort } from './bridge.js';

/** The config snippet that follows `<!-- snippet:NAME -->` in the README: what users copy is what we test. */
export function readmeSnippet(name: string): string {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const at = readme.indexOf(`<!-- snippet:${name} -->`);
  if (at < 0) throw new Error(`README has no snippet:${name}`);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error(`snippet:${name} has no code block`);
  return m[1]!;
}

export interface RunningProxy {
  port: number;
  stop(): Promise<void>;
  log(): string;
}

async function run(cmd: string, args: string[], port: number, env: Record<string, string>, logFile?: string): Promise<RunningProxy> {
  const proc: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...env } });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const log = () => out + (logFile ? safeRead(logFile) : '');
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${cmd} exited ${proc.exitCode}:\n${log()}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${cmd} did not listen on ${port}:\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    log,
    async stop() {
      const exited = new Promise((r) => proc.once('exit', r));
      try {
        process.kill(-proc.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

function safeRead(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

export async function startNginx(bridgePort: number): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-nginx-'));
  const port = await freePort();
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const snippet = readmeSnippet('nginx').replaceAll('127.0.0.1:8080', `127.0.0.1:${bridgePort}`);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
${snippet}
  }
}
`,
  );
  return run('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], port, {}, join(dir, 'error.log'));
}

export async function startCaddy(bridgePort: number): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-caddy-'));
  const port = await freePort();
  const snippet = readmeSnippet('caddy').replaceAll('127.0.0.1:8080', `127.0.0.1:${bridgePort}`);
  writeFileSync(
    join(dir, 'Caddyfile'),
    `{
  admin off
  auto_https off
  storage file_system ${dir}/data
}
http://127.0.0.1:${port} {
${snippet}
}
`,
  );
  return run('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], port, {
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'xdg-data'),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
  });
}
