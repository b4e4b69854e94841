import type { IncomingMessage } from 'node:http';
import { SwitchboardError } from '../errors.js';

export class BodyTooLargeError extends SwitchboardError {
  constructor(readonly limit: number) {
    super('SB_BODY_TOO_LARGE', `request body exceeds the ${limit}-byte limit (raise it with --max-body)`);
  }
}

/** Reads the whole body, refusing early (by Content-Length) or as soon as the limit is crossed. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => !failed && resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', (err) => !failed && reject(err));
    // A client that goes away (or is cut by the request timeout) mid-body ends the read too.
    req.on('close', () => !failed && !req.complete && reject(new Error('the client closed the connection before the body was complete')));
  });
}
