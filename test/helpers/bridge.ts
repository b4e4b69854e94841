import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './process.mjs';

export { freePort, processesMatching, until } from './process.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = `${ROOT}packages/cli/dist/main.js`;
export const EVERYTHING = `${ROOT}node_modules/@modelcontextprotocol/server-everything/dist/index.js`;
export const DEMO = `${ROOT}packages/cli/examples/demo-server.mjs`;


export interface RunningBridge {
  port: number;
  base: string;
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `switchboard bridge` as a real process and waits until it listens. */
export async function startBridge(args: string[], serverCmd: string[], opts: { env?: Record<string, string>; port?: number } = {}): Promise<RunningBridge> {
  const port = opts.port ?? (await freePort());
  const proc = spawn(process.execPath, [CLI, 'bridge', '--port', String(port), ...args, '--', ...serverCmd], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...opts.env },
  });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  proc.stdout!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      reject(new Error(`bridge did not start in 20s:\n${err}`));
    }, 20_000);
    const check = () => {
      if (err.includes('switchboard: listening')) {
        clearTimeout(t);
        resolve();
      }
    };
    proc.stderr!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`bridge exited with ${code}:\n${err}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    port,
    base,
    url: `${base}/mcp`,
    proc,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      try {
        process.kill(-proc.pid!, signal);
      } catch {
        /* gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}


