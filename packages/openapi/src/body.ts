import { randomBytes } from 'node:crypto';
import { ArgumentError } from './errors.js';
import type { BodyBinding } from './model.js';
import { flattenBrackets, primitiveText } from './serialize.js';

export interface EncodedBody {
  body: Buffer;
  contentType: string;
}

/** Decodes base64 (standard or url-safe) or a `data:` URI. Anything else (e.g. a file path) is refused. */
export function decodeBinary(arg: string, value: unknown): { bytes: Buffer; mimeType?: string } {
  if (typeof value !== 'string') throw new ArgumentError(`"${arg}" must be base64 text or a data: URI.`);
  const dataUri = /^data:([^;,]*)(;[^,]*)?,(.*)$/s.exec(value);
  if (dataUri) {
    const isBase64 = /;base64/i.test(dataUri[2] ?? '');
    const bytes = isBase64 ? Buffer.from(dataUri[3]!, 'base64') : Buffer.from(decodeURIComponent(dataUri[3]!), 'utf8');
    return { bytes, ...(dataUri[1] ? { mimeType: dataUri[1] } : {}) };
  }
  const compact = value.replace(/\s+/g, '');
  // "/etc/passwd" is valid base64 alphabet: refuse anything shaped like a path unless it is properly padded base64.
  const pathLike = /^(~|\.{1,2})?\//.test(value) || /^[A-Za-z]:[\\/]/.test(value) || /^file:/i.test(value);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1 || (pathLike && compact.length % 4 !== 0)) {
    throw new ArgumentError(`"${arg}" must be base64 content or a data: URI (file paths are never read).`);
  }
  return { bytes: Buffer.from(compact, 'base64') };
}

function isJsonMedia(mediaType: string): boolean {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  return base === '*/*' || /json$/.test(base);
}

/** Encodes the request body exactly for its declared media type. */
export function encodeBody(binding: BodyBinding, value: unknown): EncodedBody {
  const base = binding.mediaType.split(';')[0]!.trim().toLowerCase();
  const contentType = base === '*/*' ? 'application/json' : binding.mediaType;
  if (base === 'application/x-www-form-urlencoded') return { body: Buffer.from(encodeForm(binding, value)), contentType };
  if (base === 'multipart/form-data') return encodeMultipart(binding, value);
  if (binding.binary.includes('*')) {
    const decoded = decodeBinary(binding.arg ?? 'body', value);
    return { body: decoded.bytes, contentType };
  }
  if (isJsonMedia(base)) return { body: Buffer.from(JSON.stringify(value)), contentType };
  // text/*, XML and other textual types: the argument is the body text.
  return { body: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), contentType };
}

function encodeForm(binding: BodyBinding, value: unknown): string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ArgumentError('A form body must be an object.');
  const params = new URLSearchParams();
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue;
    const enc = binding.encoding?.[key];
    if (enc?.contentType && /json/i.test(enc.contentType)) {
      params.append(key, JSON.stringify(item));
      continue;
    }
    const style = enc?.style ?? 'form';
    const explode = enc?.explode ?? style === 'form';
    if (Array.isArray(item) && item.every((i) => i === null || typeof i !== 'object')) {
      const texts = item.map(primitiveText);
      if (explode) for (const text of texts) params.append(key, text);
      else params.append(key, texts.join(style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ','));
    } else if (item && typeof item === 'object') {
      // Nested structures use bracket notation (`a[b]=1`, `a[0]=x`), the convention form APIs parse.
      for (const [k, text] of flattenBrackets(key, item)) params.append(k, text);
    } else params.append(key, primitiveText(item));
  }
  return params.toString();
}

function quoteParam(text: string): string {
  if (/[\r\n]/.test(text)) throw new ArgumentError(`Multipart field name ${JSON.stringify(text)} contains a line break.`);
  return text.replace(/"/g, '%22');
}

function encodeMultipart(binding: BodyBinding, value: unknown): EncodedBody {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ArgumentError('A multipart body must be an object.');
  const boundary = `----switchboard${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  const part = (name: string, content: Buffer, type?: string, filename?: string) => {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quoteParam(name)}"`;
    if (filename !== undefined) head += `; filename="${quoteParam(filename)}"`;
    head += '\r\n';
    if (type) head += `Content-Type: ${type}\r\n`;
    chunks.push(Buffer.from(head + '\r\n'), content, Buffer.from('\r\n'));
  };
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue;
    const declared = binding.encoding?.[key]?.contentType;
    const items = Array.isArray(item) && binding.binary.includes(key) ? item : [item];
    for (const single of items) {
      if (binding.binary.includes(key)) {
        const decoded = decodeBinary(key, single);
        part(key, decoded.bytes, declared ?? decoded.mimeType ?? 'application/octet-stream', key);
      } else if (Array.isArray(single) && single.every((i) => i === null || typeof i !== 'object')) {
        for (const text of single) part(key, Buffer.from(primitiveText(text)), declared);
      } else if (single && typeof single === 'object') {
        part(key, Buffer.from(JSON.stringify(single)), declared ?? 'application/json');
      } else part(key, Buffer.from(primitiveText(single)), declared);
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
