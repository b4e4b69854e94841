/**
 * Runs attempt() until it succeeds, with backoff (250 ms doubling to 5 s), for at most windowMs. An error for which
 * giveUp() is true, or one that would retry past the window, is thrown; retry(err, n) sees the others.
 */
export async function retryWithin<T>(
  windowMs: number,
  attempt: (n: number) => Promise<T>,
  hooks: { giveUp(err: Error): boolean; translate(err: unknown): Error; retry(err: Error, n: number): void },
): Promise<{ value: T; attempts: number }> {
  const deadline = Date.now() + windowMs;
  let delay = 250;
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(n), attempts: n };
    } catch (err) {
      const e = hooks.translate(err);
      if (hooks.giveUp(e) || Date.now() + delay > deadline) throw e;
      hooks.retry(e, n);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
