import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics for a bridge or gateway; one registry per process so tests can make several. */
export class Metrics {
  readonly registry = new Registry();
  readonly sessions = new Gauge({ name: 'switchboard_sessions', help: 'Open client sessions', labelNames: ['transport'], registers: [this.registry] });
  readonly sessionsOpened = new Counter({ name: 'switchboard_sessions_opened_total', help: 'Client sessions opened', labelNames: ['transport'], registers: [this.registry] });
  readonly sessionsExpired = new Counter({ name: 'switchboard_sessions_expired_total', help: 'Sessions closed by the idle timeout', registers: [this.registry] });
  readonly children = new Gauge({ name: 'switchboard_children', help: 'Running MCP server processes', registers: [this.registry] });
  readonly childrenWaiting = new Gauge({ name: 'switchboard_children_waiting', help: 'Per-session MCP server processes started ahead, waiting for a session (--prestart)', registers: [this.registry] });
  readonly restarts = new Counter({ name: 'switchboard_child_restarts_total', help: 'MCP server processes restarted after a crash', registers: [this.registry] });
  readonly inflight = new Gauge({ name: 'switchboard_inflight_requests', help: 'Requests forwarded and not yet answered', registers: [this.registry] });
  readonly rejections = new Counter({ name: 'switchboard_http_rejections_total', help: 'HTTP requests refused, by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'Time to handle an MCP HTTP request (until the handler returns; streams end later)',
    labelNames: ['method'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
  }

  observe(method: string, startedNs: bigint): void {
    this.latency.observe({ method }, Number(process.hrtime.bigint() - startedNs) / 1e9);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
