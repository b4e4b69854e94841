import { createWriteStream } from 'node:fs';
import { pino } from 'pino';
import { createLogger, maskSecrets, type Logger, type LogLevel } from '../log.js';

/**
 * Logger for client-side commands: JSON lines on stderr (stdout is the protocol) and, if asked, the same lines
 * appended to a file. Known secrets are masked in both.
 */
export function createClientLogger(options: { level?: LogLevel; name?: string; file?: string }): Logger {
  if (!options.file) return createLogger({ level: options.level, name: options.name });
  const file = createWriteStream(options.file, { flags: 'a', mode: 0o600 });
  return pino(
    {
      level: options.level ?? 'info',
      base: options.name ? { name: options.name } : null,
      redact: { paths: ['headers.authorization', 'token', 'accessToken', 'clientSecret', 'refreshToken'], censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    {
      write(line: string) {
        const masked = maskSecrets(line);
        process.stderr.write(masked);
        file.write(masked);
      },
    },
  );
}
