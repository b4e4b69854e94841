import type { UnresolvedReference } from './config/secrets.js';
import type { ConfigWarning, PinningMode } from './config/types.js';
import { escapeText, scanToolDefinition, type Finding } from './description-scan.js';
import { NameTable, type NameWarning } from './naming.js';
import { comparePins, type PinComparison, type PinLock, type ToolDefinition } from './pinning.js';
import { GlobSet, type AllowDeny } from './policy/globs.js';

export type BackendState = 'ready' | 'failed' | 'disabled' | 'unresolved-secrets' | 'timed-out';

/** One backend as the router (or `check`) saw it: plain data, however it was obtained. */
export interface BackendCatalog {
  server: string;
  prefix: string;
  state: BackendState;
  /** Why it is not ready, for the user. */
  error?: string;
  /** As the upstream listed them (upstream names). */
  tools: readonly ToolDefinition[];
  rename?: Readonly<Record<string, string>>;
  /** The server's own `tools` filter. */
  filter?: AllowDeny;
}

export interface CatalogReportInput {
  backends: readonly BackendCatalog[];
  nameBudget?: number;
  unresolvedSecrets?: readonly UnresolvedReference[];
  configWarnings?: readonly ConfigWarning[];
  trustedHosts?: readonly string[];
  /** With a lock, each tool gets its pin status. */
  lock?: PinLock;
  pinning?: PinningMode;
}

export interface BackendRow {
  server: string;
  state: BackendState;
  error?: string;
  tools: number;
  /** Tools the server's own filter hides. */
  filtered: number;
  bytes: number;
  tokens: number;
}

export type PinStatus = 'unchanged' | 'changed' | 'new';

export interface ToolRow {
  exposed: string;
  server: string;
  original: string;
  bytes: number;
  tokens: number;
  pin?: PinStatus;
  /** True when pinning is `enforce` and the definition is not pinned as is: clients will not see it. */
  withheld: boolean;
  findings: Finding[];
}

export interface CatalogReport {
  backends: BackendRow[];
  tools: ToolRow[];
  totals: { tools: number; bytes: number; tokens: number };
  names: NameWarning[];
  unresolvedSecrets: UnresolvedReference[];
  configWarnings: ConfigWarning[];
  pins?: PinComparison;
}

/**
 * Tokens are estimated as UTF-8 bytes / 4 of each tool as tools/list carries it: the rule of thumb the
 * OpenAPI adapter's build report uses too. Good for comparing catalogs, not for billing.
 */
export function estimateTokens(bytes: number): number {
  return Math.ceil(bytes / 4);
}

/** What `switchboard gateway check` prints, as data. Names go through the same NameTable the router uses. */
export function buildCatalogReport(input: CatalogReportInput): CatalogReport {
  const ready = input.backends.filter((b) => b.state === 'ready');
  const visible = new Map<string, ToolDefinition[]>();
  const filteredCount = new Map<string, number>();
  for (const backend of ready) {
    const allow = new GlobSet(backend.filter?.allow ?? ['*']);
    const deny = new GlobSet(backend.filter?.deny ?? []);
    const kept = backend.tools.filter((t) => allow.matches(t.name) && !deny.matches(t.name));
    visible.set(backend.server, kept);
    filteredCount.set(backend.server, backend.tools.length - kept.length);
  }
  const table = NameTable.build(
    ready.map((b) => ({ server: b.server, prefix: b.prefix, names: visible.get(b.server)!.map((t) => t.name), ...(b.rename ? { rename: b.rename } : {}) })),
    input.nameBudget !== undefined ? { budget: input.nameBudget } : {},
  );

  const exposedTools: ToolDefinition[] = [];
  const rows: ToolRow[] = [];
  for (const entry of table.entries) {
    const upstream = visible.get(entry.server)!.find((t) => t.name === entry.original)!;
    const listed: ToolDefinition = { ...upstream, name: entry.exposed };
    exposedTools.push(listed);
    const bytes = Buffer.byteLength(JSON.stringify(listed));
    rows.push({
      exposed: entry.exposed,
      server: entry.server,
      original: entry.original,
      bytes,
      tokens: estimateTokens(bytes),
      withheld: false,
      findings: scanToolDefinition(listed, input.trustedHosts ? { trustedHosts: input.trustedHosts } : {}),
    });
  }

  let pins: PinComparison | undefined;
  if (input.lock !== undefined || input.pinning === 'enforce' || input.pinning === 'warn') {
    pins = comparePins(input.lock, exposedTools);
    const status = new Map<string, PinStatus>();
    pins.unchanged.forEach((n) => status.set(n, 'unchanged'));
    pins.changed.forEach((c) => status.set(c.name, 'changed'));
    pins.new.forEach((n) => status.set(n, 'new'));
    for (const row of rows) {
      row.pin = status.get(row.exposed)!;
      row.withheld = input.pinning === 'enforce' && row.pin !== 'unchanged';
    }
  }

  const backends: BackendRow[] = input.backends.map((b) => {
    const own = rows.filter((r) => r.server === b.server);
    const bytes = own.reduce((sum, r) => sum + r.bytes, 0);
    return {
      server: b.server,
      state: b.state,
      ...(b.error !== undefined ? { error: b.error } : {}),
      tools: own.length,
      filtered: filteredCount.get(b.server) ?? 0,
      bytes,
      tokens: own.reduce((sum, r) => sum + r.tokens, 0),
    };
  });
  const bytes = rows.reduce((sum, r) => sum + r.bytes, 0);
  return {
    backends,
    tools: rows,
    totals: { tools: rows.length, bytes, tokens: rows.reduce((sum, r) => sum + r.tokens, 0) },
    names: [...table.warnings],
    unresolvedSecrets: [...(input.unresolvedSecrets ?? [])],
    configWarnings: [...(input.configWarnings ?? [])],
    ...(pins ? { pins } : {}),
  };
}

/**
 * Plain text for a terminal: fixed-width columns, nothing coloured. Everything a backend chose (names, errors,
 * descriptions) is escaped, so an upstream cannot write terminal control sequences into the operator's screen.
 */
export function renderCatalogReport(report: CatalogReport): string {
  const out: string[] = [];
  const table = (rows: string[][]) => {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) out.push('  ' + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  };

  out.push(`Backends (${report.backends.length})`);
  if (report.backends.length) {
    table(
      report.backends.map((b) => [
        b.server,
        b.state,
        `${b.tools} tools${b.filtered ? ` (+${b.filtered} filtered)` : ''}`,
        formatBytes(b.bytes),
        `~${b.tokens} tokens`,
        b.error ? `— ${escapeText(b.error)}` : '',
      ]),
    );
  }

  out.push('', `Tools (${report.totals.tools}, ${formatBytes(report.totals.bytes)}, ~${report.totals.tokens} tokens; tokens ≈ bytes / 4)`);
  if (report.tools.length) {
    table(
      report.tools.map((t) => [
        t.exposed,
        escapeText(`${t.server}.${t.original}`),
        formatBytes(t.bytes),
        `~${t.tokens}`,
        [t.pin && t.pin !== 'unchanged' ? t.pin : '', t.withheld ? 'withheld' : '', t.findings.length ? `${t.findings.length} finding(s)` : ''].filter(Boolean).join(', '),
      ]),
    );
  }

  if (report.names.length) {
    out.push('', `Names (${report.names.length})`);
    for (const w of report.names) out.push(`  ${w.kind}: ${escapeText(w.message)}`);
  }
  if (report.unresolvedSecrets.length) {
    out.push('', `Unresolved secrets (${report.unresolvedSecrets.length})`);
    for (const u of report.unresolvedSecrets) out.push(`  ${u.path}: ${escapeText(u.reference)} — ${escapeText(u.reason)}`);
  }
  const suspicious = report.tools.filter((t) => t.findings.length);
  if (suspicious.length) {
    out.push('', `Suspicious definitions (${suspicious.length})`);
    for (const t of suspicious) for (const f of t.findings) out.push(`  ${t.exposed} ${f.field}: ${f.kind}: ${f.excerpt}`);
  }
  if (report.pins) {
    const p = report.pins;
    out.push('', `Pins: ${p.unchanged.length} unchanged, ${p.changed.length} changed, ${p.new.length} new, ${p.removed.length} removed`);
    for (const c of p.changed) {
      out.push(`  ${c.name} changed:`);
      for (const line of c.diff.split('\n')) out.push(`    ${escapeText(line)}`);
    }
    if (p.removed.length) out.push(`  removed: ${p.removed.join(', ')}`);
  }
  if (report.configWarnings.length) {
    out.push('', `Config warnings (${report.configWarnings.length})`);
    for (const w of report.configWarnings) out.push(`  ${escapeText(w.path)}: ${escapeText(w.message)}`);
  }
  return out.join('\n') + '\n';
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
