import type { Transport } from '../transport.js';
import { ErrorCode, errorResponse, isNotification, isRequest, isResponse, type Message, type RequestId } from '../jsonrpc.js';
import { silentLogger, type Logger } from '../log.js';
import type { RemoteTransport } from './remote-transport.js';

const MODERN = '2026-07-28';
const LEGACY = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
const K = {
  version: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  caps: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
};
const MAX_ROUNDS = 10;

type Req = Message & { id: RequestId; method: string; params?: Record<string, unknown> };

/**
 * Era translation for a 2025-era local client in front of a 2026-07-28-only remote. Until the remote refuses the
 * client's `initialize` as an unsupported version, everything passes through raw (2025 remotes). After that:
 * the local initialize is answered from `server/discover`; each request is wrapped in the `_meta` envelope (the SDK
 * transport derives Mcp-Method/Mcp-Name from it); `input_required` results become sampling/elicitation/roots requests
 * pushed to the local client, and the request is retried with the answers; `subscriptions/listen` carries list_changed.
 */
export class ModernTranslator implements Transport {
  onmessage?: (m: Message) => void;
  onerror?: (e: Error) => void;
  onclose?: () => void;
  private readonly log: Logger;
  private modern = false;
  private clientInfo?: unknown;
  private clientCaps?: unknown;
  private logLevel?: string;
  private serverCaps: Record<string, { listChanged?: boolean } | undefined> = {};
  private seq = 0;
  private readonly waiters = new Map<RequestId, (m: Message) => void>();

  constructor(private readonly remote: RemoteTransport, options: { logger?: Logger } = {}) {
    this.log = options.logger ?? silentLogger;
    remote.onmessage = (m) => this.fromRemote(m);
    remote.onerror = (e) => this.onerror?.(e);
    remote.onclose = () => this.onclose?.();
  }

  start() {
    return this.remote.start();
  }

  close() {
    return this.remote.close();
  }

  async send(m: Message): Promise<void> {
    if (this.modern) return this.sendModern(m);
    if (isRequest(m) && m.method === 'initialize') {
      try {
        await this.remote.send(m);
      } catch (err) {
        if (!/-32022|Unsupported protocol version/i.test((err as Error)?.message ?? '')) throw err;
        this.log.info('remote speaks only 2026-07-28: translating for this 2025-era client');
        await this.enterModern(m as Req);
      }
      return;
    }
    return this.remote.send(m);
  }

  private fromRemote(m: Message): void {
    if (isResponse(m) && this.waiters.has(m.id)) {
      const w = this.waiters.get(m.id)!;
      this.waiters.delete(m.id);
      w(m);
      return;
    }
    this.onmessage?.(m);
  }

  private envelope(extra?: Record<string, unknown>): Record<string, unknown> {
    return {
      ...extra,
      [K.version]: MODERN,
      [K.clientInfo]: this.clientInfo,
      [K.caps]: this.clientCaps ?? {},
      ...(this.logLevel ? { [K.logLevel]: this.logLevel } : {}),
    };
  }

  /** Sends an internal request upstream and resolves with its response. */
  private call(method: string, params: Record<string, unknown>, wait = true): Promise<Message> {
    const id = `sbx-modern-${++this.seq}`;
    const answer = new Promise<Message>((resolve) => this.waiters.set(id, resolve));
    const sent = this.remote.send({ jsonrpc: '2.0', id, method, params } as Message);
    if (!wait) {
      void sent.catch((e: Error) => this.log.debug({ err: e.message, method }, 'upstream call failed'));
      return answer;
    }
    return sent.then(
      () => answer,
      (e) => {
        this.waiters.delete(id);
        throw e;
      },
    );
  }

  /** Pushes a request to the local client (sampling, elicitation, roots) and resolves with its answer. */
  private ask(method: string, params: unknown): Promise<Message> {
    const id = `sbx-input-${++this.seq}`;
    const answer = new Promise<Message>((resolve) => this.waiters.set(id, resolve));
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
    if (res.error) throw new Error(`server/discover failed: ${res.error.message}`);
    const r = res.result ?? {};
    this.modern = true;
    this.serverCaps = (r.capabilities as typeof this.serverCaps) ?? {};
    const requested = String(init.params?.protocolVersion ?? '');
    this.reply({
      jsonrpc: '2.0',
      id: init.id,
      result: {
        protocolVersion: LEGACY.includes(requested) ? requested : LEGACY[0],
        capabilities: r.capabilities ?? {},
        serverInfo: r.serverInfo ?? (r._meta as Record<string, unknown> | undefined)?.['io.modelcontextprotocol/serverInfo'] ?? { name: 'unknown', version: '0' },
        ...(r.instructions ? { instructions: r.instructions } : {}),
      },
    } as Message);
  }

  private async sendModern(m: Message): Promise<void> {
    if (isResponse(m)) {
      const w = this.waiters.get(m.id);
      if (w) {
        this.waiters.delete(m.id);
        w(m);
      }
      return;
    }
    if (isNotification(m)) {
      if (m.method === 'notifications/initialized') return this.listen();
      if (m.method === 'notifications/roots/list_changed') return; // no 2026 equivalent: roots are asked per request
      return this.remote.send(m);
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

  /** One local request: enveloped, retried with input responses until the remote gives a complete result. */
  private async run(req: Req): Promise<void> {
    const base = { ...(req.params ?? {}) };
    let extra: Record<string, unknown> = {};
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const params = { ...base, ...extra, _meta: this.envelope(base._meta as Record<string, unknown> | undefined) };
      const res = (await this.call(req.method, params)) as Message & { result?: Record<string, unknown>; error?: unknown };
      if (res.error !== undefined || res.result?.resultType !== 'input_required') {
        const { id: _drop, ...rest } = res as Record<string, unknown>;
        void _drop;
        this.reply({ ...rest, id: req.id } as Message);
        return;
      }
      const requests = (res.result.inputRequests ?? {}) as Record<string, { method: string; params?: unknown }>;
      const responses: Record<string, unknown> = {};
      for (const [key, r] of Object.entries(requests)) {
        const answer = (await this.ask(r.method, r.params)) as Message & { result?: unknown; error?: { message?: string } };
        if (answer.error) throw new Error(`the client refused ${r.method}: ${answer.error.message ?? 'error'}`);
        responses[key] = answer.result;
      }
      extra = { inputResponses: responses, ...(res.result.requestState !== undefined ? { requestState: res.result.requestState } : {}) };
    }
    throw new Error(`the remote kept asking for input after ${MAX_ROUNDS} rounds`);
  }

  /** list_changed for a 2026 remote travels on subscriptions/listen: open it once the client is initialized. */
  private async listen(): Promise<void> {
    const want = {
      toolsListChanged: !!this.serverCaps.tools?.listChanged,
      promptsListChanged: !!this.serverCaps.prompts?.listChanged,
      resourcesListChanged: !!this.serverCaps.resources?.listChanged,
    };
    if (!want.toolsListChanged && !want.promptsListChanged && !want.resourcesListChanged) return;
    void this.call('subscriptions/listen', { notifications: want, _meta: this.envelope() }, false).then((r) =>
      this.log.debug({ r }, 'subscriptions/listen ended'),
    );
  }
}
