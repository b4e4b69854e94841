/** What to run: the stdio MCP server's command line and environment. */
export interface ChildSpec {
  command: string;
  args?: string[];
  /** Variables to set or override (the rest is inherited, less SWITCHBOARD_*: see environment.ts). */
  env?: Record<string, string>;
  /** Inherit only these names or `PREFIX_*` patterns (plus PATH, HOME and the like) instead of everything. */
  passEnv?: string[];
  cwd?: string;
  /** Run through /bin/sh -c (off by default: a shell hides the real server from signals). */
  shell?: boolean;
  /** A short name for logs; defaults to the command's basename. */
  name?: string;
}

export function describeChild(spec: ChildSpec): string {
  return spec.name ?? [spec.command, ...(spec.args ?? [])].join(' ').slice(0, 120);
}
