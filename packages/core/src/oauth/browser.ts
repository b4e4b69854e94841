import { spawn } from 'node:child_process';
import { silentLogger, type Logger } from '../log.js';

/**
 * Opens the authorization URL: with `command` (split on spaces, the URL appended as the last argument) when given —
 * e.g. from $SWITCHBOARD_BROWSER — else the system opener. The URL is always printed on stderr too, for hosts
 * with no browser.
 */
export function browserOpener(command: string | undefined, logger: Logger = silentLogger): (url: string) => Promise<void> {
  return async (url: string) => {
    process.stderr.write(`switchboard: authorization required — open this URL in a browser if it did not open:\n  ${url}\n`);
    const [cmd, ...args] = command
      ? command.trim().split(/\s+/)
      : process.platform === 'darwin'
        ? ['open']
        : process.platform === 'win32'
          ? ['cmd', '/c', 'start', '""']
          : ['xdg-open'];
    try {
      const child = spawn(cmd!, [...args, url], { stdio: ['ignore', 'ignore', 'inherit'], detached: process.platform !== 'win32' });
      child.on('error', (err) => logger.info({ err: err.message }, 'could not open a browser; use the printed URL'));
      child.unref();
    } catch (err) {
      logger.info({ err: (err as Error).message }, 'could not open a browser; use the printed URL');
    }
  };
}
