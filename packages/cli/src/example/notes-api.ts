import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** The local REST API behind the example's OpenAPI backend (examples/demo-notes.yaml): notes kept in memory. */
export interface NotesApi {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const MAX_NOTES = 1000;

export async function startNotesApi(): Promise<NotesApi> {
  const notes: { id: number; text: string }[] = [{ id: 1, text: 'Try notes__addNote, then notes__listNotes.' }];
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/notes' && req.method === 'GET') return json(res, 200, notes);
    if (path === '/notes' && req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > MAX_BODY) req.destroy();
      });
      req.on('end', () => {
        let text: unknown;
        try {
          text = (JSON.parse(body) as { text?: unknown }).text;
        } catch {
          return json(res, 400, { error: 'the body must be JSON: {"text": "…"}' });
        }
        if (typeof text !== 'string' || !text) return json(res, 400, { error: '"text" must be a non-empty string' });
        if (notes.length >= MAX_NOTES) notes.shift();
        const note = { id: (notes.at(-1)?.id ?? 0) + 1, text };
        notes.push(note);
        json(res, 201, note);
      });
      return;
    }
    const one = /^\/notes\/(\d+)$/.exec(path);
    if (one && req.method === 'GET') {
      const note = notes.find((n) => n.id === Number(one[1]));
      return note ? json(res, 200, note) : json(res, 404, { error: `no note ${one[1]}` });
    }
    json(res, 404, { error: `no route ${req.method} ${path}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
