import { SupervisedChild, type SupervisorOptions } from '../child/supervisor.js';
import { basename } from 'node:path';
import type { ChildSpec } from '../child/spawn-spec.js';
import type { Upstream } from './upstream.js';

/** A stdio MCP server: each open() is a supervised child process of its own (restarted if it crashes). */
export function stdioUpstream(spec: ChildSpec, options: SupervisorOptions = {}): Upstream {
  return {
    name: upstreamName(spec),
    open: () => new SupervisedChild(spec, options),
  };
}

/**
 * A name for logs and readiness that cannot carry a credential: the command's basename and the arguments that
 * look like names (no `=`, no URL, no `user:pass@`), at most three of them.
 */
export function upstreamName(spec: ChildSpec): string {
  if (spec.name) return spec.name;
  const plain = (spec.args ?? []).filter((a) => !/[=@:]/.test(a) && !a.startsWith('-')).slice(0, 3);
  return [basename(spec.command), ...plain].join(' ');
}
