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

/** A file argument: base64 / data: URI text, or `{ content, filename?, contentType? }`. */
export function decodeFile(arg: string, value: unknown): { bytes: Buffer; mimeType?: string; filename?: string } {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const file = value as { content?: unknown; filename?: unknown; contentType?: unknown };
    const decoded = decodeBinary(arg, file.content);
    const filename = typeof file.filename === 'string' && file.filename ? file.filename : undefined;
    const mimeType = typeof file.contentType === 'string' && file.contentType ? file.contentType : decoded.mimeType;
    if (mimeType && /[\r\n]/.test(mimeType)) throw new ArgumentError(`"${arg}": contentType must not contain line breaks.`);
    return { bytes: decoded.bytes, ...(mimeType ? { mimeType } : {}), ...(filename ? { filename } : {}) };
  }
  return decodeBinary(arg, value);
}

/**
 * The media type one call's body goes as. An operation accepting several JSON types (JSON Patch,
 * merge patch, …) gets the one whose shape matches the argument: an array is never sent as a merge
 * patch, nor an object as a JSON Patch.
 */
export function chooseMediaType(binding: BodyBinding, value: unknown): string {
  if (!binding.alternatives?.length) return binding.mediaType;
  const kind = Array.isArray(value) ? 'array' : value && typeof value === 'object' ? 'object' : 'any';
  const candidates = [{ mediaType: binding.mediaType, kind: binding.kind ?? 'any' }, ...binding.alternatives];
  return (candidates.find((c) => c.kind === kind) ?? candidates.find((c) => c.kind === 'any') ?? candidates[0]!).mediaType;
}

function isJsonMedia(mediaType: string): boolean {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  return base === '*/*' || /json$/.test(base);
}

/** Encodes the request body exactly for its declared media type. */
export function encodeBody(binding: BodyBinding, value: unknown): EncodedBody {
  const mediaType = chooseMediaType(binding, value);
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  const contentType = base === '*/*' ? 'application/json' : mediaType;
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
      // deepObject is bracket notation, for arrays too: `expand[]=a&expand[]=b` (Stripe and other Rack/PHP-style parsers).
      if (style === 'deepObject') for (const text of texts) params.append(`${key}[]`, text);
      else if (explode) for (const text of texts) params.append(key, text);
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
    const enc = binding.encoding?.[key];
    const declared = enc?.contentType;
    const items = Array.isArray(item) && binding.binary.includes(key) ? item : [item];
    for (const single of items) {
      if (binding.binary.includes(key)) {
        // A file part always has a filename (servers tell files from fields by it) and a type.
        const file = decodeFile(key, single);
        part(key, file.bytes, declared ?? file.mimeType ?? 'application/octet-stream', file.filename ?? key);
      } else if (Array.isArray(single) && single.every((i) => i === null || typeof i !== 'object')) {
        // Exploded (the default) is one part per item; a Swagger 2.0 csv/ssv/pipes collection is one joined part.
        if (enc?.explode === false) part(key, Buffer.from(single.map(primitiveText).join(enc.style === 'spaceDelimited' ? ' ' : enc.style === 'pipeDelimited' ? '|' : ',')), declared);
        else for (const text of single) part(key, Buffer.from(primitiveText(text)), declared);
      } else if (single && typeof single === 'object') {
        part(key, Buffer.from(JSON.stringify(single)), declared ?? 'application/json');
      } else part(key, Buffer.from(primitiveText(single)), declared);
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
