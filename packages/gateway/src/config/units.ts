import { z } from 'zod';

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, k: 1024, kib: 1024, mb: 1024 ** 2, m: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3, gib: 1024 ** 3 };
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

// Same spelling as the CLI's flags (packages/cli/src/parse.ts), so a value means the same on the command line
// and in the file: a bare number of a duration is seconds, which is also what Cline's "timeout" means.

/** "16mb", "512kb", 1048576 → bytes. */
export const bytes = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(v));
  const unit = m?.[2]?.toLowerCase() || 'b';
  if (!m || !(unit in SIZE_UNITS)) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a size: use e.g. 16mb, 512kb or a number of bytes` });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * SIZE_UNITS[unit]!);
});

/** "30m", "15s", "250ms", 90 (seconds) → milliseconds. */
export const duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(String(v));
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration: use e.g. 30m, 15s, 250ms or a number of seconds` });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * DURATION_UNITS[(m[2] ?? 's').toLowerCase()]!);
});
