import { basename } from 'node:path';
import type { Logger } from '@switchboard-mcp/core/serve';

// Launchers that resolve (and may download) a package before the server itself starts: seconds per start.
const LAUNCHERS = new Set(['npx', 'npm', 'pnpm', 'pnpx', 'yarn', 'bunx', 'uvx', 'uv', 'pipx', 'deno', 'docker', 'podman']);

/**
 * In per-session mode the command runs once per client session, so a launcher's resolve-and-download is paid by
 * every new session (the first call of one trial took 14 s). Say so once, at start-up, with what to do instead.
 */
export function warnSlowLauncher(command: string, args: string[], isolation: string, log: Logger, prestart = 0): boolean {
  if (isolation !== 'per-session') return false;
  const launcher = basename(command).replace(/\.(cmd|exe)$/i, '');
  if (!LAUNCHERS.has(launcher)) return false;
  if (prestart > 0) {
    log.info({ launcher, prestart }, `${launcher} runs again for every new session; --prestart ${prestart} keeps ${prestart} started ahead, so only sessions arriving faster than ${launcher} starts wait for it`);
    return true;
  }
  const line = `${launcher} runs again for every new session (--isolation per-session): each session's first call waits while it resolves the package, often seconds. Keep some started ahead with --prestart N (e.g. --prestart 2), install the server and bridge its command directly, or use --isolation shared if it keeps no per-client state.`;
  log.warn({ launcher, args: args.slice(0, 3) }, line);
  process.stderr.write(`switchboard: note — ${line}\n`);
  return true;
}
