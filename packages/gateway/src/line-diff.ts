/**
 * A small unified-style line diff for reviewing changed tool definitions: ` ` kept, `-` pinned, `+` current,
 * with `context` unchanged lines around each change and `…` for what is skipped. Quadratic (LCS), so inputs
 * past a size cap are shown as a whole replacement instead.
 */
export function lineDiff(before: string, after: string, context = 2): string {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > 250_000) return [...a.map((l) => `-${l}`), ...b.map((l) => `+${l}`)].join('\n');
  const ops = lcsOps(a, b);
  const keep = new Array<boolean>(ops.length).fill(false);
  ops.forEach((op, i) => {
    if (op[0] !== ' ') for (let j = Math.max(0, i - context); j <= Math.min(ops.length - 1, i + context); j++) keep[j] = true;
  });
  const out: string[] = [];
  let skipped = false;
  ops.forEach((op, i) => {
    if (keep[i]) {
      out.push(op);
      skipped = false;
    } else if (!skipped) {
      out.push('…');
      skipped = true;
    }
  });
  return out.join('\n');
}

function lcsOps(a: string[], b: string[]): string[] {
  const n = a.length;
  const m = b.length;
  const table: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const ops: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push(` ${a[i++]}`);
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) ops.push(`-${a[i++]}`);
    else ops.push(`+${b[j++]}`);
  }
  while (i < n) ops.push(`-${a[i++]}`);
  while (j < m) ops.push(`+${b[j++]}`);
  return ops;
}
