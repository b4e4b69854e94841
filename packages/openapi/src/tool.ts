import type { OpenAPIV3 } from 'openapi-types';
import type { BodyBinding, BodyEncoding, CompiledTool, JsonSchema, ParamBinding, ParamLocation, SecurityRequirements, ServerTemplate, ToolAnnotations } from './model.js';
import type { OperationEntry } from './select.js';
import { BuildError } from './errors.js';
import type { RefResolver } from './refs.js';
import { SchemaConverter, trimText } from './schema.js';

export interface ToolBuildContext {
  resolver: RefResolver;
  openapi30: boolean;
  /** Header names (lower case) that carry auth: never exposed as arguments. */
  protectedHeaders: Set<string>;
  /** Query/cookie names that carry API keys: never exposed as arguments. */
  protectedQuery: Set<string>;
  protectedCookies: Set<string>;
  rootSecurity?: SecurityRequirements;
  descriptionBudget: number;
  warn: (message: string) => void;
  /** Request media type the operator chose for this tool (must be one the spec declares). */
  mediaType?: string;
}

/** Headers the transport or auth layer owns; OpenAPI itself says Accept/Content-Type/Authorization params are ignored. */
const RESERVED_HEADERS = new Set(['accept', 'content-type', 'authorization', 'content-length', 'host', 'connection', 'transfer-encoding', 'cookie', 'proxy-authorization', 'te', 'upgrade', 'keep-alive', 'expect']);

const ARG_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Unsupported for a tool: refusing beats sending something the API will misread. */
export class UnsupportedOperation extends Error {}

export function buildTool(entry: OperationEntry, name: string, ctx: ToolBuildContext): CompiledTool {
  const { resolver } = ctx;
  const converter = new SchemaConverter(resolver, { openapi30: ctx.openapi30, direction: 'request', warn: (m) => ctx.warn(`${name}: ${m}`) });
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const params: ParamBinding[] = [];
  const taken = new Set<string>();

  const claim = (wanted: string, location: string): string => {
    let arg = wanted.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 64) || 'arg';
    if (!ARG_NAME.test(arg)) arg = 'arg';
    if (taken.has(arg)) arg = `${arg}_${location}`.slice(0, 64);
    for (let i = 2; taken.has(arg); i++) arg = `${wanted.slice(0, 56)}_${location}${i}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
    taken.add(arg);
    return arg;
  };

  // Operation-level parameters override path-level ones with the same name and location.
  const merged = new Map<string, OpenAPIV3.ParameterObject>();
  for (const raw of [...(entry.pathItem.parameters ?? []), ...(entry.operation.parameters ?? [])]) {
    const param = resolver.deref<OpenAPIV3.ParameterObject>(raw).value;
    if (!param || typeof param.name !== 'string' || typeof param.in !== 'string') continue;
    merged.set(`${param.in}:${param.name}`, param);
  }
  // Path first so path params keep their plain names when a body property shares it.
  const order: Record<string, number> = { path: 0, query: 1, header: 2, cookie: 3 };
  const sortedParams = [...merged.values()].filter((p) => p.in in order).sort((a, b) => order[a.in]! - order[b.in]!);
  for (const param of sortedParams) {
    const location = param.in as ParamLocation;
    if (location === 'header' && (RESERVED_HEADERS.has(param.name.toLowerCase()) || ctx.protectedHeaders.has(param.name.toLowerCase()))) {
      ctx.warn(`${name}: header parameter ${param.name} is set by the adapter (auth or transport), not by tool arguments.`);
      continue;
    }
    if ((location === 'query' && ctx.protectedQuery.has(param.name)) || (location === 'cookie' && ctx.protectedCookies.has(param.name))) continue;
    const arg = claim(param.name, location);
    let schema: JsonSchema;
    let contentType: string | undefined;
    if (param.schema !== undefined) schema = converter.convert(param.schema);
    else if (param.content && Object.keys(param.content).length) {
      contentType = Object.keys(param.content)[0]!;
      schema = converter.convert(param.content[contentType]!.schema);
    } else schema = { type: 'string' };
    const description = [param.description ? trimText(param.description, ctx.descriptionBudget / 2) : '', arg !== param.name ? `(sent as ${location} parameter "${param.name}")` : '']
      .filter(Boolean)
      .join(' ');
    properties[arg] = description ? { ...schema, description } : schema;
    const isRequired = location === 'path' || param.required === true;
    if (isRequired) required.push(arg);
    const defaultStyle = location === 'query' || location === 'cookie' ? 'form' : 'simple';
    const style = typeof param.style === 'string' ? param.style : defaultStyle;
    params.push({
      arg,
      location,
      name: param.name,
      style,
      explode: typeof param.explode === 'boolean' ? param.explode : style === 'form',
      allowReserved: param.allowReserved === true,
      required: isRequired,
      ...(contentType ? { contentType } : {}),
    });
  }
  // Path template params the spec forgot to declare would leave `{x}` in the URL: expose them as strings.
  for (const match of entry.path.matchAll(/\{([^}]+)\}/g)) {
    const wire = match[1]!;
    if (params.some((p) => p.location === 'path' && p.name === wire)) continue;
    const arg = claim(wire, 'path');
    properties[arg] = { type: 'string' };
    required.push(arg);
    params.push({ arg, location: 'path', name: wire, style: 'simple', explode: false, allowReserved: false, required: true });
    ctx.warn(`${name}: path parameter {${wire}} is not declared; accepting it as a string.`);
  }

  const body = buildBody(entry, converter, claim, properties, required, ctx, name);

  const summary = entry.operation.summary?.trim();
  const longText = entry.operation.description?.trim();
  const descriptionParts = [summary, longText && longText !== summary ? longText : undefined].filter(Boolean) as string[];
  const description = trimText(descriptionParts.join('\n\n') || `${entry.method.toUpperCase()} ${entry.path}`, ctx.descriptionBudget);

  const inputSchema = converter.finish({ type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false });

  const servers = ((entry.operation.servers?.length ? entry.operation.servers : entry.pathItem.servers) ?? []).map(toServerTemplate);
  const security = (entry.operation.security ?? ctx.rootSecurity) as SecurityRequirements | undefined;

  return {
    name,
    ...(entry.operationId ? { operationId: entry.operationId } : {}),
    method: entry.method,
    path: entry.path,
    ...(summary ? { title: trimText(summary, 120) } : {}),
    description,
    inputSchema,
    annotations: annotationsFor(entry.method, summary),
    params,
    ...(body ? { body } : {}),
    servers,
    ...(security ? { security } : {}),
    ...findResponseSchema(entry, resolver),
    tags: entry.tags,
    deprecated: entry.deprecated,
  };
}

export function toServerTemplate(server: OpenAPIV3.ServerObject): ServerTemplate {
  const variables: ServerTemplate['variables'] = {};
  for (const [key, variable] of Object.entries(server.variables ?? {})) {
    variables[key] = { default: String(variable.default ?? ''), ...(Array.isArray(variable.enum) ? { enum: variable.enum.map(String) } : {}) };
  }
  return { url: server.url, ...(Object.keys(variables).length ? { variables } : {}) };
}

function annotationsFor(method: string, summary: string | undefined): ToolAnnotations {
  const readOnly = method === 'get' || method === 'head' || method === 'options';
  return {
    ...(summary ? { title: trimText(summary, 120) } : {}),
    readOnlyHint: readOnly,
    destructiveHint: method === 'delete',
    idempotentHint: readOnly || method === 'put' || method === 'delete',
    openWorldHint: true,
  };
}

const baseOf = (mediaType: string) => mediaType.split(';')[0]!.trim().toLowerCase();
const isJsonMediaType = (mediaType: string) => {
  const base = baseOf(mediaType);
  return base === '*/*' || /json$/.test(base);
};
/** RFC 6902 documents are arrays of operations, whatever schema a spec attaches to the media type. */
const isJsonPatch = (mediaType: string) => baseOf(mediaType) === 'application/json-patch+json';

/**
 * Preference: plain JSON, then other JSON types (merge-patch before JSON Patch, which only fits an
 * array argument), then form, multipart, text, then anything else (sent as bytes).
 */
function pickMediaType(types: string[]): string | undefined {
  const score = (t: string) => {
    const base = baseOf(t);
    if (base === 'application/json') return 0;
    if (base === 'application/merge-patch+json') return 1;
    if (isJsonPatch(t)) return 3;
    if (/\+json$|\/json$/.test(base) || base === '*/*') return 2;
    if (base === 'application/x-www-form-urlencoded') return 4;
    if (base === 'multipart/form-data') return 5;
    if (base.startsWith('text/')) return 6;
    return 7;
  };
  return [...types].sort((a, b) => score(a) - score(b))[0];
}

/** Whether a body schema says nothing a caller could fill in: no properties, no open map, no other shape. */
function isEmptyBodySchema(schema: unknown, resolver: RefResolver): boolean {
  const resolved = resolver.deref<Record<string, unknown>>(schema).value;
  if (resolved === undefined || resolved === null) return true;
  if (typeof resolved !== 'object') return false;
  const keys = Object.keys(resolved).filter((k) => !['description', 'title', 'type', 'properties', 'additionalProperties', 'required', 'example', 'examples'].includes(k) && !k.startsWith('x-'));
  if (keys.length) return false;
  if (resolved.type !== undefined && resolved.type !== 'object') return false;
  const props = resolved.properties as Record<string, unknown> | undefined;
  if (props && Object.keys(props).length) return false;
  // An untyped `{}` accepts anything, but an operation declaring only that declares no body worth an argument.
  return resolved.additionalProperties === undefined || resolved.additionalProperties === false;
}

function buildBody(
  entry: OperationEntry,
  converter: SchemaConverter,
  claim: (wanted: string, location: string) => string,
  properties: Record<string, JsonSchema>,
  required: string[],
  ctx: ToolBuildContext,
  name: string,
): BodyBinding | undefined {
  const requestBody = ctx.resolver.deref<OpenAPIV3.RequestBodyObject>(entry.operation.requestBody).value;
  if (!requestBody?.content) return undefined;
  const declared = Object.keys(requestBody.content);
  if (ctx.mediaType && !declared.includes(ctx.mediaType)) {
    throw new BuildError(`${name}: media type ${ctx.mediaType} was chosen for its body, but the spec declares only ${declared.join(', ')}.`, 'MEDIA_TYPE');
  }
  const mediaType = ctx.mediaType ?? pickMediaType(declared);
  if (!mediaType) return undefined;
  const media = requestBody.content[mediaType]!;
  const base = baseOf(mediaType);
  const bodyRequired = requestBody.required === true;
  // A body schema with nothing to fill (Stripe's GETs declare `properties: {}` form bodies) is no argument,
  // and a GET or HEAD carries a body only when its spec insists (required), since servers may reject one.
  if (!bodyRequired && (isEmptyBodySchema(media.schema, ctx.resolver) || entry.method === 'get' || entry.method === 'head')) return undefined;
  const isJsonLike = isJsonMediaType(mediaType);
  const isForm = base === 'application/x-www-form-urlencoded' || base === 'multipart/form-data';
  // Other JSON media types the body may go as: chosen per call by the argument's shape (see body.ts).
  const alternatives = ctx.mediaType || !isJsonLike ? [] : declared.filter((t) => t !== mediaType && isJsonMediaType(t)).map((t) => ({ mediaType: t, kind: bodyKind(t, requestBody.content![t]!.schema, ctx.resolver) }));
  const ownKind = bodyKind(mediaType, media.schema, ctx.resolver);
  const encoding: Record<string, BodyEncoding> = {};
  for (const [prop, enc] of Object.entries(media.encoding ?? {})) {
    encoding[prop] = {
      ...(enc.contentType ? { contentType: enc.contentType } : {}),
      ...(enc.style ? { style: enc.style } : {}),
      ...(typeof enc.explode === 'boolean' ? { explode: enc.explode } : {}),
      ...(enc.allowReserved ? { allowReserved: true } : {}),
    };
  }
  const encodingField = Object.keys(encoding).length ? { encoding } : {};

  const shapes = new Set([ownKind, ...alternatives.map((a) => a.kind)]);
  if ((isJsonLike && shapes.size === 1) || isForm) {
    const flat = flattenObjectSchema(media.schema, ctx.resolver);
    if (flat) {
      const props: Array<{ arg: string; name: string }> = [];
      const binary: string[] = [];
      for (const [prop, propSchema] of Object.entries(flat.properties)) {
        const resolved = ctx.resolver.deref<Record<string, unknown>>(propSchema).value;
        if (resolved?.readOnly === true) continue;
        const arg = claim(prop, 'body');
        let schema = converter.convert(propSchema);
        const items = resolved?.type === 'array' ? ctx.resolver.deref<Record<string, unknown>>(resolved.items).value : undefined;
        if (base === 'multipart/form-data' && (isBinarySchema(resolved) || isBinarySchema(items))) {
          binary.push(prop);
          const description = trimText(`${resolved?.description ? String(resolved.description) + ' ' : ''}${items ? 'Files' : 'A file'}: base64 content or a data: URI, or { content, filename, contentType }. Never a local file path.`, ctx.descriptionBudget / 2);
          schema = items ? { type: 'array', items: FILE_SCHEMA, description } : { ...FILE_SCHEMA, description };
        }
        if (arg !== prop) schema = { ...schema, description: `${schema.description ? String(schema.description) + ' ' : ''}(sent as body property "${prop}")` };
        properties[arg] = schema;
        if (bodyRequired && flat.required.includes(prop)) required.push(arg);
        props.push({ arg, name: prop });
      }
      return { mediaType, required: bodyRequired, mode: 'properties', props, binary, ...encodingField, ...(alternatives.length ? { alternatives, kind: ownKind } : {}) };
    }
    if (isForm) ctx.warn(`${name}: ${base} body is not a plain object schema; taking it as one \`body\` argument.`);
  }
  const arg = claim('body', 'body');
  const isBinary = !isJsonLike && !isForm && !base.startsWith('text/') && base !== 'application/xml';
  let schema: JsonSchema;
  if (isBinary) schema = { type: 'string', contentEncoding: 'base64', description: `Request body (${base}) as base64 or a data: URI.` };
  else if (base.startsWith('text/') || base === 'application/xml') schema = { type: 'string', description: `Request body (${base}).` };
  else if (shapes.size > 1) {
    // One argument, several shapes: each listed once, and the description says which goes as what.
    const variants: JsonSchema[] = [];
    const routes: string[] = [];
    for (const candidate of [{ mediaType, kind: ownKind }, ...alternatives]) {
      const candidateSchema = requestBody.content[candidate.mediaType]!.schema;
      const converted = isJsonPatch(candidate.mediaType) && schemaKind(candidateSchema, ctx.resolver) !== 'array' ? JSON_PATCH_SCHEMA : converter.convert(candidateSchema);
      if (!routes.some((r) => r.startsWith(`${candidate.kind} `))) {
        variants.push(converted);
        routes.push(`${candidate.kind} → ${candidate.mediaType}`);
      }
    }
    schema = { anyOf: variants, description: `Request body. Sent as: ${routes.join('; ')}.` };
  } else schema = converter.convert(media.schema);
  if (requestBody.description && !schema.description) schema = { ...schema, description: trimText(requestBody.description, ctx.descriptionBudget / 2) };
  else if (requestBody.description && shapes.size > 1) schema = { ...schema, description: `${trimText(requestBody.description, ctx.descriptionBudget / 2)} ${String(schema.description)}` };
  properties[arg] = schema;
  if (bodyRequired) required.push(arg);
  return { mediaType, required: bodyRequired, mode: 'whole', arg, binary: isBinary ? ['*'] : [], ...encodingField, ...(alternatives.length ? { alternatives, kind: ownKind } : {}) };
}

/** A file argument: bare base64 / data: URI, or an object that also names the file. */
const FILE_SCHEMA: JsonSchema = {
  anyOf: [
    { type: 'string', contentEncoding: 'base64' },
    {
      type: 'object',
      properties: {
        content: { type: 'string', contentEncoding: 'base64', description: 'base64 or a data: URI' },
        filename: { type: 'string' },
        contentType: { type: 'string' },
      },
      required: ['content'],
      additionalProperties: false,
    },
  ],
};

const JSON_PATCH_SCHEMA: JsonSchema = {
  type: 'array',
  description: 'RFC 6902 JSON Patch operations',
  items: { type: 'object', properties: { op: { type: 'string' }, path: { type: 'string' }, from: { type: 'string' }, value: {} }, required: ['op', 'path'] },
};

function schemaKind(schema: unknown, resolver: RefResolver): 'array' | 'object' | 'any' {
  const resolved = resolver.deref<Record<string, unknown>>(schema).value;
  if (!resolved || typeof resolved !== 'object') return 'any';
  if (resolved.type === 'array' || resolved.items !== undefined) return 'array';
  if (resolved.type === 'object' || resolved.properties !== undefined) return 'object';
  return 'any';
}

/** The argument shape a JSON media type takes: JSON Patch is an array by definition, others follow their schema. */
function bodyKind(mediaType: string, schema: unknown, resolver: RefResolver): 'array' | 'object' | 'any' {
  if (isJsonPatch(mediaType)) return 'array';
  const kind = schemaKind(schema, resolver);
  return kind === 'array' ? 'array' : kind === 'object' ? 'object' : 'any';
}

function isBinarySchema(schema: Record<string, unknown> | undefined): boolean {
  if (!schema) return false;
  return schema.format === 'binary' || schema.format === 'byte' || schema.contentEncoding === 'base64' || (typeof schema.contentMediaType === 'string' && schema.type === 'string' && schema.contentMediaType !== 'text/plain');
}

/**
 * A body can be flattened into top-level arguments only when it is unambiguously one object:
 * `type: object` with properties, or an allOf of such objects. Unions and maps stay whole.
 */
function flattenObjectSchema(schema: unknown, resolver: RefResolver): { properties: Record<string, unknown>; required: string[] } | undefined {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  const visit = (node: unknown, depth: number): boolean => {
    if (depth > 8) return false;
    const resolved = resolver.deref<Record<string, unknown>>(node).value;
    if (!resolved || typeof resolved !== 'object') return false;
    if (resolved.oneOf || resolved.anyOf || resolved.not || resolved.nullable === true) return false;
    if (Array.isArray(resolved.type) ? !resolved.type.every((t) => t === 'object') : resolved.type !== undefined && resolved.type !== 'object') return false;
    if (resolved.additionalProperties && typeof resolved.additionalProperties === 'object' && !resolved.properties) return false;
    let any = false;
    if (Array.isArray(resolved.allOf)) {
      for (const part of resolved.allOf) if (!visit(part, depth + 1)) return false;
      any = true;
    }
    if (resolved.properties && typeof resolved.properties === 'object') {
      Object.assign(properties, resolved.properties);
      any = true;
    }
    if (Array.isArray(resolved.required)) required.push(...resolved.required.map(String));
    return any || resolved.type === 'object';
  };
  if (!visit(schema, 0)) return undefined;
  if (Object.keys(properties).length === 0) return undefined;
  return { properties, required };
}

function findResponseSchema(entry: OperationEntry, resolver: RefResolver): { responseSchema?: unknown } {
  const responses = entry.operation.responses ?? {};
  const codes = Object.keys(responses).filter((c) => /^2(\d\d|XX)$/i.test(c)).sort();
  for (const code of codes) {
    const response = resolver.deref<OpenAPIV3.ResponseObject>(responses[code]).value;
    const content = response?.content ?? {};
    const jsonType = Object.keys(content).find((t) => /json/i.test(t));
    if (!jsonType || !content[jsonType]!.schema) continue;
    return { responseSchema: content[jsonType]!.schema };
  }
  return {};
}
