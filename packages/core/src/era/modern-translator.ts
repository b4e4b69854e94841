import type { Transport } from '../transport.js';
import { ErrorCode, errorResponse, isNotification, isRequest, isResponse, type Message, type RequestId } from '../jsonrpc.js';
import { silentLogger, type Logger } from '../log.js';
import { LayerTransport, type Layer } from '../layer.js';
import { Requester } from '../requester.js';
import { SwitchboardError } from '../errors.js';
import { META, MODERN_PROTOCOL_VERSION, SESSION_PROTOCOL_VERSIONS, isSessionProtocolVersion } from '../protocol.js';

const MAX_ROUNDS = 10;

type Req = Message & { id: RequestId; method: string; params?: Record<string, unknown> };

export interface ModernTranslatorOptions {
  logger?: Logger;
}

/**
 * Era translation, 2025-era client ← 2026-07-28-only server, as a layer on the connection to the server. Until
 * the server refuses the client's `initialize` as an unsupported version, everything passes through raw (2025
 * servers). After that: the client's initialize is answered from `server/discover`; each request is wrapped in
 * the `_meta` envelope (the SDK's client transport derives Mcp-Method/Mcp-Name from it); `input_required`
 * results become sampling/elicitation/roots requests pushed to the client, and the request is retried with the
 * answers; list_changed arrives on `subscriptions/listen`.
 */
export function modernTranslator(options: ModernTranslatorOptions = {}): Layer {
  return (next) => new ModernTranslator(next, options);
}

/** A 2026 server refuses a 2025 `initialize` with -32022 (the remote transport's typed error carries the code). */
function isUnsupportedVersion(err: unknown): boolean {
  return (err as { rpcCode?: number } | undefined)?.rpcCode === ErrorCode.UnsupportedProtocolVersion;
}

export class ModernTranslator extends LayerTransport {
  private readonly log: Logger;
  private modern = false;
  private clientInfo?: unknown;
  private clientCaps?: unknown;
  private logLevel?: string;
  private serverCaps: Record<string, { listChanged?: boolean } | undefined> = {};
  /** Our own requests to the server and our pushes to the client share one table of waiters. */
  private readonly requests = new Requester('sbx-modern');

  constructor(next: Transport, options: ModernTranslatorOptions = {}) {
    super(next);
    this.log = options.logger ?? silentLogger;
  }

  /** True once the server turned out to speak only 2026-07-28. */
  get translating(): boolean {
    return this.modern;
  }

  protected override async toServer(message: Parameters<Transport['send']>[0], options?: Parameters<Transport['send']>[1]): Promise<void> {
    const m = message as Message;
    if (this.modern) return this.sendModern(m);
    if (isRequest(m) && m.method === 'initialize') {
      try {
        await this.next.send(m, options);
      } catch (err) {
        if (!isUnsupportedVersion(err)) throw err;
        this.log.info('remote speaks only 2026-07-28: translating for this 2025-era client');
        await this.enterModern(m as Req);
      }
      return;
    }
    return this.next.send(m, options);
  }

  protected override toClient(message: Parameters<NonNullable<Transport['onmessage']>>[0], extra?: Parameters<NonNullable<Transport['onmessage']>>[1]): void {
    if (this.requests.settle(message as Message)) return;
    this.onmessage?.(message, extra);
  }

  private envelope(extra?: Record<string, unknown>): Record<string, unknown> {
    return {
      ...extra,
      [META.protocolVersion]: MODERN_PROTOCOL_VERSION,
      [META.clientInfo]: this.clientInfo,
      [META.clientCapabilities]: this.clientCaps ?? {},
      ...(this.logLevel ? { [META.logLevel]: this.logLevel } : {}),
    };
  }

  /** An internal request to the server, answered through the Requester. */
  private call(method: string, params: Record<string, unknown>): Promise<Message> {
    return this.requests.request((m) => this.next.send(m), method, params);
  }

  /** Pushes a request to the local client (sampling, elicitation, roots) and resolves with its answer. */
  private ask(method: string, params: unknown): Promise<Message> {
    const id = this.requests.nextId();
    const answer = this.requests.expect(id, undefined, method);
    this.onmessage?.({ jsonrpc: '2.0', id, method, params } as Message);
    return answer;
  }

  private reply(m: Message): void {
    this.onmessage?.(m);
  }

  private async enterModern(init: Req): Promise<void> {
    this.clientInfo = init.params?.clientInfo;
    this.clientCaps = init.params?.capabilities;
    const res = (await this.call('server/discover', { _meta: this.envelope() })) as Message & { result?: Record<string, unknown>; error?: { message: string } };
    if (res.error) throw new SwitchboardError('SB_DISCOVER_FAILED', `server/discover failed: ${res.error.message}`);
    const r = res.result ?? {};
    this.modern = true;
    this.serverCaps = (r.capabilities as typeof this.serverCaps) ?? {};
    const requested = init.params?.protocolVersion;
    this.reply({
      jsonrpc: '2.0',
      id: init.id,
      result: {
        protocolVersion: isSessionProtocolVersion(requested) ? requested : SESSION_PROTOCOL_VERSIONS[0],
        capabilities: r.capabilities ?? {},
        serverInfo: r.serverInfo ?? (r._meta as Record<string, unknown> | undefined)?.[META.serverInfo] ?? { name: 'unknown', version: '0' },
        ...(r.instructions ? { instructions: r.instructions } : {}),
      },
    } as Message);
  }

  private async sendModern(m: Message): Promise<void> {
    if (isResponse(m)) {
      this.requests.settle(m);
      return;
    }
    if (isNotification(m)) {
      if (m.method === 'notifications/initialized') return this.listen();
      if (m.method === 'notifications/roots/list_changed') return; // no 2026 equivalent: roots are asked per request
      return this.next.send(m);
    }
    if (!isRequest(m)) return;
    const req = m as Req;
    if (req.method === 'logging/setLevel') {
      this.logLevel = String(req.params?.level ?? '');
      return this.reply({ jsonrpc: '2.0', id: req.id, result: {} } as Message);
    }
    if (req.method === 'ping') return this.reply({ jsonrpc: '2.0', id: req.id, result: {} } as Message);
    void this.run(req).catch((err: Error) => this.reply(errorResponse(req.id, ErrorCode.InternalError, err.message)));
  }

  /** One client request: enveloped, retried with input responses until the server gives a complete result. */
  private async run(req: Req): Promise<void> {
    const base = { ...(req.params ?? {}) };
    let extra: Record<string, unknown> = {};
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const params = { ...base, ...extra, _meta: this.envelope(base._meta as Record<string, unknown> | undefined) };
      const res = (await this.call(req.method, params)) as Message & { result?: Record<string, unknown>; error?: unknown };
      if (res.error !== undefined || res.result?.resultType !== 'input_required') {
        const { id: _drop, ...rest } = res as Record<string, unknown>;
        this.reply({ ...rest, id: req.id } as Message);
        return;
      }
      const requests = (res.result.inputRequests ?? {}) as Record<string, { method: string; params?: unknown }>;
      const responses: Record<string, unknown> = {};
      for (const [key, r] of Object.entries(requests)) {
        const answer = (await this.ask(r.method, r.params)) as Message & { result?: unknown; error?: { message?: string } };
        if (answer.error) throw new SwitchboardError('SB_INPUT_REFUSED', `the client refused ${r.method}: ${answer.error.message ?? 'error'}`);
        responses[key] = answer.result;
      }
      extra = { inputResponses: responses, ...(res.result.requestState !== undefined ? { requestState: res.result.requestState } : {}) };
    }
    throw new SwitchboardError('SB_INPUT_ROUNDS', `the remote kept asking for input after ${MAX_ROUNDS} rounds`);
  }

  /** list_changed for a 2026 server travels on subscriptions/listen: open it once the client is initialized. */
  private async listen(): Promise<void> {
    const want = {
      toolsListChanged: !!this.serverCaps.tools?.listChanged,
      promptsListChanged: !!this.serverCaps.prompts?.listChanged,
      resourcesListChanged: !!this.serverCaps.resources?.listChanged,
    };
    if (!want.toolsListChanged && !want.promptsListChanged && !want.resourcesListChanged) return;
    this.call('subscriptions/listen', { notifications: want, _meta: this.envelope() }).then(
      (r) => this.log.debug({ r }, 'subscriptions/listen ended'),
      (e: Error) => this.log.debug({ err: e.message }, 'subscriptions/listen failed'),
    );
  }
}
