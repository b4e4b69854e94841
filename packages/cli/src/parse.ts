// Flag values → numbers. Plain functions, not a schema library: zod was ~730 KB of the bridge's start-up for two
// regular expressions (the SDK brings its own copy only where a command needs it).

/** Turns a flag's raw value into T, or throws an Error whose message says what was expected. */
export type Parser<T> = (value: unknown) => T;

const UNITS: Record<string, number> = { b: 1, kb: 1024, k: 1024, kib: 1024, mb: 1024 ** 2, m: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3, gib: 1024 ** 3 };

/** "16mb", "512kb", "1048576" → bytes. */
export const bytes: Parser<number> = (v) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(v));
  const unit = m?.[2]?.toLowerCase() || 'b';
  if (!m || !(unit in UNITS)) throw new Error(`"${v}" is not a size: use e.g. 16mb, 512kb or a number of bytes`);
  return Math.round(Number(m[1]) * UNITS[unit]!);
};

const DUR: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "30m", "15s", "250ms", "90" (seconds) → milliseconds. */
export const duration: Parser<number> = (v) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(String(v));
  if (!m) throw new Error(`"${v}" is not a duration: use e.g. 30m, 15s, 250ms or a number of seconds`);
  return Math.round(Number(m[1]) * DUR[(m[2] ?? 's').toLowerCase()]!);
};

export function parseOr<T>(parse: Parser<T>, value: unknown, flag: string): T {
  try {
    return parse(value);
  } catch (err) {
    throw new Error(`--${flag}: ${(err as Error).message || 'invalid value'}`);
  }
}

/** KEY=VALUE pairs from a repeatable flag. */
export function keyValues(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`--${flag} "${item}": expected KEY=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
