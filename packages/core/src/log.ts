import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Values we know are secret (API keys, tokens). Any log line containing one gets it masked. */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function maskSecrets(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  return out;
}

const REDACT_PATHS = [
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers["proxy-authorization"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'apiKey',
  'token',
  'accessToken',
  'clientSecret',
];

/**
 * Structured JSON logs on stderr: stdout belongs to the protocol when we speak stdio.
 * Known secrets are masked in every line, whatever field they hide in.
 */
export function createLogger(options: { level?: LogLevel; name?: string; destination?: number | string } = {}): Logger {
  const dest = pino.destination({ dest: options.destination ?? 2, sync: true });
  const wrapped = {
    write(line: string) {
      dest.write(secrets.size ? maskSecrets(line) : line);
    },
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: options.name ? { name: options.name } : null,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    wrapped,
  );
}

/** A logger that drops everything: the default for library users who did not ask for logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
