import type { BuildReport, ToolTable } from './compile.js';
import type { CompiledTool } from './model.js';
import { hostOf, toolServerUrl, type ServerChoice } from './servers.js';

export interface ToolRow {
  name: string;
  method: string;
  path: string;
  operationId?: string;
  /** `arg (location[:wire name])`, required ones marked with `*`. */
  params: string[];
  /** Security alternatives, e.g. `oauth | apiKey+signature`; `none` when anonymous. */
  auth: string;
  /** `host:port` this tool's requests go to, or why it cannot be known yet. */
  host: string;
  annotations: string[];
}

export interface InspectResult {
  tools: ToolRow[];
  report: Omit<BuildReport, 'toolBytes'>;
}

export function describeAuth(tool: CompiledTool): string {
  if (!tool.security || tool.security.length === 0) return 'none';
  return tool.security.map((alt) => (Object.keys(alt).length ? Object.keys(alt).join('+') : 'anonymous')).join(' | ');
}

/** The tool table a person reviews before exposing an API to a model, plus the build report. */
export function inspect(table: ToolTable, servers: ServerChoice = {}): InspectResult {
  const tools = table.tools.map((tool): ToolRow => {
    const params = tool.params.map((p) => `${p.required ? '*' : ''}${p.arg} (${p.location}${p.name !== p.arg ? `:${p.name}` : ''})`);
    const routes = (tool.body?.alternatives ?? []).filter((a) => a.kind !== tool.body!.kind).map((a) => `; ${a.kind} → ${a.mediaType}`).join('');
    if (tool.body?.mode === 'whole') params.push(`${tool.body.required ? '*' : ''}${tool.body.arg} (body ${tool.body.mediaType}${routes})`);
    for (const prop of tool.body?.props ?? []) {
      const required = (tool.inputSchema.required as string[] | undefined)?.includes(prop.arg);
      params.push(`${required ? '*' : ''}${prop.arg} (body${prop.name !== prop.arg ? `:${prop.name}` : ''})`);
    }
    const a = tool.annotations;
    return {
      name: tool.name,
      method: tool.method.toUpperCase(),
      path: tool.path,
      ...(tool.operationId ? { operationId: tool.operationId } : {}),
      params,
      auth: describeAuth(tool),
      host: hostFor(table, tool, servers),
      annotations: [a.readOnlyHint && 'readOnly', a.destructiveHint && 'destructive', a.idempotentHint && 'idempotent'].filter(Boolean) as string[],
    };
  });
  const { toolBytes: _perTool, ...report } = table.report;
  return { tools, report };
}

function hostFor(table: ToolTable, tool: CompiledTool, servers: ServerChoice): string {
  try {
    return hostOf(toolServerUrl(table, tool, servers));
  } catch (error) {
    return `(unknown: ${(error as Error).message})`;
  }
}

/** Plain-text table for terminals (the CLI may print this as is). */
export function formatInspect(result: InspectResult): string {
  const lines = result.tools.map((t) => `${t.name}\t${t.method} ${t.path}\t${t.host}\t${t.params.join(', ') || '-'}\t${t.auth}`);
  const r = result.report;
  lines.push('', `${r.toolCount} tools from ${r.operationCount} operations; tools/list ≈ ${r.estimatedTokens} tokens (${r.payloadBytes} bytes) in ${r.pages} page${r.pages === 1 ? '' : 's'}${r.pageBytes ? ` of ≤ ${r.pageBytes} bytes` : ''}.`);
  for (const s of r.skipped) lines.push(`skipped ${s.method} ${s.path}${s.operationId ? ` (${s.operationId})` : ''}: ${s.reason}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
