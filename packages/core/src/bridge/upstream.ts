import type { Transport } from '../transport.js';
import { SupervisedChild, type SupervisorOptions } from '../child/supervisor.js';
import { describeChild, type ChildSpec } from '../child/spawn-spec.js';

/**
 * Where a bridge's sessions go: something that makes a fresh upstream transport on demand.
 * A stdio child is one kind; an in-process server (OpenAPI, gateway) behind an in-memory pair is another.
 */
export interface UpstreamFactory {
  /** A short name for logs and errors. */
  readonly name: string;
  create(): Transport;
  /** For liveness reports: is this transport's server still running? */
  alive?(t: Transport): boolean;
  /** For drain on shutdown: requests still waiting for an answer. */
  inflight?(t: Transport): number;
}

export function stdioUpstream(spec: ChildSpec, options: SupervisorOptions = {}): UpstreamFactory {
  return {
    name: describeChild(spec),
    create: () => new SupervisedChild(spec, options),
    alive: (t) => (t as SupervisedChild).alive,
    inflight: (t) => (t as SupervisedChild).inflightCount,
  };
}
