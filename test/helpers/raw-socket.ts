import { connect, type Socket } from 'node:net';

/** A raw TCP client of the bridge: what a slow, broken or hostile HTTP client sends, byte by byte. */
export interface RawClient {
  socket: Socket;
  /** Everything the server wrote. */
  received: () => string;
  /** The status code of the first response, once its status line arrived. */
  status: () => number | undefined;
  /** Resolves when the server closed the connection (or it broke); never rejects. */
  closed: Promise<{ at: number }>;
  isClosed: () => boolean;
  /** The socket error, if any (ECONNRESET: the server closed with our bytes unread, and the kernel reset). */
  error: () => string | undefined;
}

export function rawClient(port: number, opts: { localAddress?: string; host?: string } = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: opts.host ?? '127.0.0.1', localAddress: opts.localAddress });
    let data = '';
    let done = false;
    let error: string | undefined;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    const closed = new Promise<{ at: number }>((r) => {
      const finish = () => {
        done = true;
        r({ at: Date.now() });
      };
      // The server's FIN is enough: a client that saw it holds no server-side descriptor worth counting.
      socket.once('end', finish);
      socket.once('close', finish);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? e.message;
    });
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => data,
        status: () => {
          const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
          return m ? Number(m[1]) : undefined;
        },
        closed,
        isClosed: () => done,
        error: () => error,
      }),
    );
    socket.once('error', reject);
  });
}

/** How many sockets (TCP connections, and the child pipes libuv makes from socket pairs) a process holds open: Linux only. */
export async function socketFds(pid: number): Promise<number> {
  const { readdir, readlink } = await import('node:fs/promises');
  let n = 0;
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (target.startsWith('socket:')) n++;
  }
  return n;
}

/**
 * Connections to `port` that the server side still holds (ESTABLISHED, or CLOSE_WAIT: the peer left but the server
 * has not closed), optionally only those from one IPv4 peer. Read from /proc/net/tcp: Linux only.
 */
export async function heldConnections(port: number, from?: string): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const hexPeer = from
    ?.split('.')
    .reverse()
    .map((b) => Number(b).toString(16).toUpperCase().padStart(2, '0'))
    .join('');
  const text = await readFile('/proc/net/tcp', 'utf8');
  let n = 0;
  for (const line of text.split('\n').slice(1)) {
    const [, local, remote, state] = line.trim().split(/\s+/);
    if (!local?.endsWith(`:${hexPort}`) || (state !== '01' && state !== '08')) continue;
    if (hexPeer && !remote?.startsWith(`${hexPeer}:`)) continue;
    n++;
  }
  return n;
}
