import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SwitchboardError } from '../errors.js';

export class OAuthCallbackError extends SwitchboardError {
  constructor(message: string) {
    super('SB_OAUTH_CALLBACK', message);
  }
}

export interface CallbackResult {
  code: string;
  iss?: string;
  params: URLSearchParams;
}

export interface CallbackServer {
  readonly url: string;
  readonly port: number;
  /** Resolves with the authorization code once the browser comes back with the expected state. */
  wait(expectedState: () => string | undefined, timeoutMs: number): Promise<CallbackResult>;
  close(): Promise<void>;
}

const PAGE = (title: string, body: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${body}</p></body>`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The loopback redirect target of the authorization code flow (RFC 8252 §7.3). */
export async function startCallbackServer(options: { host?: string; port?: number; path?: string } = {}): Promise<CallbackServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/oauth/callback';
  let deliver: ((r: CallbackResult) => void) | undefined;
  let fail: ((e: Error) => void) | undefined;
  let expected: () => string | undefined = () => undefined;
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    if (u.pathname !== path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const q = u.searchParams;
    const state = q.get('state') ?? undefined;
    const want = expected();
    if (!want || state !== want) {
      res.writeHead(400, { 'content-type': 'text/html' }).end(PAGE('Authorization rejected', 'The state parameter did not match this sign-in. Start again from your MCP client.'));
      fail?.(new OAuthCallbackError('OAuth callback rejected: the state parameter does not match the authorization request (possible CSRF or a stale browser tab); retry the connection'));
      return;
    }
    const error = q.get('error');
    if (error) {
      const desc = q.get('error_description') ?? '';
      res.writeHead(400, { 'content-type': 'text/html' }).end(PAGE('Authorization failed', escapeHtml(`${error} ${desc}`)));
      fail?.(new OAuthCallbackError(`the authorization server refused: ${error}${desc ? ` (${desc})` : ''}`));
      return;
    }
    const code = q.get('code');
    if (!code) {
      res.writeHead(400, { 'content-type': 'text/html' }).end(PAGE('Authorization failed', 'No authorization code in the callback.'));
      fail?.(new OAuthCallbackError('OAuth callback carried no authorization code'));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE('Signed in', 'Switchboard is authorized. You can close this tab.'));
    deliver?.({ code, iss: q.get('iss') ?? undefined, params: q });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new OAuthCallbackError(`OAuth callback port ${options.port} on ${host} is in use: pick another with --callback-port (0 = any free port)`)
          : err,
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}${path}`,
    port,
    wait(expectedState, timeoutMs) {
      expected = expectedState;
      return new Promise<CallbackResult>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new OAuthCallbackError(`no authorization came back within ${Math.round(timeoutMs / 1000)} s: open the printed URL in a browser, or raise --auth-timeout`)),
          timeoutMs,
        );
        deliver = (r) => {
          clearTimeout(timer);
          resolve(r);
        };
        fail = (e) => {
          clearTimeout(timer);
          reject(e);
        };
      });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
