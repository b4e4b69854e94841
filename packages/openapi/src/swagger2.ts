import type { OpenAPIV2, OpenAPIV3 } from 'openapi-types';

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/**
 * Converts Swagger 2.0 to OpenAPI 3.0 in memory. Written for this adapter's needs: body and
 * formData parameters become request bodies (never dropped), collectionFormat becomes
 * style/explode, `type: file` becomes binary strings, definitions/parameters/responses move under
 * components with every `$ref` rewritten.
 */
export function convertSwagger2(input: Json, warnings: string[]): OpenAPIV3.Document {
  const doc = rewriteRefs(input) as unknown as OpenAPIV2.Document & Json;
  const rootConsumes = (doc.consumes as string[] | undefined) ?? ['application/json'];
  const rootProduces = (doc.produces as string[] | undefined) ?? ['application/json'];
  const sharedParams = (doc.parameters ?? {}) as Record<string, Json>;

  const components: Json = {};
  if (doc.definitions) components.schemas = mapValues(doc.definitions as Json, (s) => convertSchema(s));
  const convertedParams: Json = {};
  for (const [name, param] of Object.entries(sharedParams)) {
    if (param.in !== 'body' && param.in !== 'formData') convertedParams[name] = convertParameter(param, warnings);
  }
  if (Object.keys(convertedParams).length) components.parameters = convertedParams;
  if (doc.responses) components.responses = mapValues(doc.responses as Json, (r) => convertResponse(r as Json, rootProduces));
  if (doc.securityDefinitions) components.securitySchemes = mapValues(doc.securityDefinitions as Json, (s) => convertSecurityScheme(s as Json));

  const paths: Json = {};
  for (const [path, rawItem] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    const item: Json = {};
    const pathParams = (rawItem.parameters as Json[] | undefined) ?? [];
    for (const [key, value] of Object.entries(rawItem)) {
      if (key === 'parameters' || (METHODS as readonly string[]).includes(key)) continue;
      item[key] = value;
    }
    const pathLevel = convertParameterList(pathParams, sharedParams, warnings);
    if (pathLevel.params.length) item.parameters = pathLevel.params;
    for (const method of METHODS) {
      const op = rawItem[method] as Json | undefined;
      if (!op) continue;
      const consumes = (op.consumes as string[] | undefined) ?? rootConsumes;
      const produces = (op.produces as string[] | undefined) ?? rootProduces;
      const own = convertParameterList((op.parameters as Json[] | undefined) ?? [], sharedParams, warnings);
      // Body/formData declared at path level apply to every operation under it.
      const body = own.body ?? pathLevel.body;
      const formData = [...pathLevel.formData.filter((p) => !own.formData.some((o) => o.name === p.name)), ...own.formData];
      const converted: Json = {};
      for (const [key, value] of Object.entries(op)) {
        if (['parameters', 'consumes', 'produces', 'responses', 'schemes'].includes(key)) continue;
        converted[key] = value;
      }
      if (own.params.length) converted.parameters = own.params;
      if (body) {
        const types = consumes.filter((t) => !/form-data|x-www-form-urlencoded/.test(t));
        converted.requestBody = {
          ...(body.description ? { description: body.description } : {}),
          required: body.required === true,
          content: Object.fromEntries((types.length ? types : ['application/json']).map((t) => [t, { schema: convertSchema(body.schema as Json) }])),
        };
      } else if (formData.length) {
        const multipart = formData.some((p) => p.type === 'file') || consumes.includes('multipart/form-data');
        const properties: Json = {};
        const required: string[] = [];
        const encoding: Json = {};
        for (const p of formData) {
          properties[p.name as string] = p.type === 'file' ? { type: 'string', format: 'binary', ...(p.description ? { description: p.description } : {}) } : convertSchema(pickSchemaKeys(p));
          if (p.required) required.push(p.name as string);
          // 2.0 arrays default to csv (one joined value); OpenAPI 3 form bodies default to exploded, so say it.
          if (p.type === 'array') encoding[p.name as string] = formDataEncoding(p, warnings);
        }
        const mediaType = multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded';
        converted.requestBody = {
          required: required.length > 0,
          content: { [mediaType]: { schema: { type: 'object', properties, ...(required.length ? { required } : {}) }, ...(Object.keys(encoding).length ? { encoding } : {}) } },
        };
      }
      converted.responses = mapValues((op.responses ?? {}) as Json, (r) => ((r as Json).$ref ? r : convertResponse(r as Json, produces)));
      item[method] = converted;
    }
    paths[path] = item;
  }

  const schemes = (doc.schemes as string[] | undefined) ?? ['https'];
  const ordered = [...schemes].sort((a, b) => (a === 'https' ? -1 : b === 'https' ? 1 : 0));
  const basePath = (doc.basePath as string | undefined) ?? '';
  const servers = doc.host ? ordered.map((s) => ({ url: `${s}://${doc.host}${basePath}` })) : basePath ? [{ url: basePath }] : [];

  const out: Json = { openapi: '3.0.3', info: doc.info ?? { title: 'API', version: '0' }, paths };
  if (servers.length) out.servers = servers;
  if (Object.keys(components).length) out.components = components;
  if (doc.security) out.security = doc.security;
  if (doc.tags) out.tags = doc.tags;
  for (const [key, value] of Object.entries(doc)) if (key.startsWith('x-')) out[key] = value;
  return out as unknown as OpenAPIV3.Document;
}

function convertParameterList(list: Json[], shared: Record<string, Json>, warnings: string[]) {
  const params: Json[] = [];
  let body: Json | undefined;
  const formData: Json[] = [];
  for (const raw of list) {
    let param = raw;
    if (typeof raw.$ref === 'string') {
      const name = decodeURIComponent((raw.$ref as string).split('/').pop()!);
      const target = shared[name];
      if (target && (target.in === 'body' || target.in === 'formData')) param = target;
      else {
        params.push(raw);
        continue;
      }
    }
    if (param.in === 'body') body = param;
    else if (param.in === 'formData') formData.push(param);
    else params.push(convertParameter(param, warnings));
  }
  return { params, body, formData };
}

function convertParameter(param: Json, warnings: string[]): Json {
  const out: Json = { name: param.name, in: param.in };
  if (param.description) out.description = param.description;
  if (param.required) out.required = true;
  for (const [key, value] of Object.entries(param)) if (key.startsWith('x-')) out[key] = value;
  out.schema = convertSchema(pickSchemaKeys(param));
  const format = param.collectionFormat as string | undefined;
  if (param.type === 'array') {
    const location = param.in as string;
    switch (format) {
      case 'multi':
        out.style = 'form';
        out.explode = true;
        break;
      case 'ssv':
        out.style = 'spaceDelimited';
        out.explode = false;
        break;
      case 'pipes':
        out.style = 'pipeDelimited';
        out.explode = false;
        break;
      case 'tsv':
        warnings.push(`Parameter ${String(param.name)}: collectionFormat tsv has no OpenAPI 3 equivalent; sending as csv.`);
        out.style = location === 'query' || location === 'cookie' ? 'form' : 'simple';
        out.explode = false;
        break;
      default: // csv is the 2.0 default
        out.style = location === 'query' || location === 'cookie' ? 'form' : 'simple';
        out.explode = false;
    }
  }
  return out;
}

function formDataEncoding(param: Json, warnings: string[]): Json {
  switch (param.collectionFormat as string | undefined) {
    case 'multi':
      return { style: 'form', explode: true };
    case 'ssv':
      return { style: 'spaceDelimited', explode: false };
    case 'pipes':
      return { style: 'pipeDelimited', explode: false };
    case 'tsv':
      warnings.push(`Form field ${String(param.name)}: collectionFormat tsv has no OpenAPI 3 equivalent; sending as csv.`);
      return { style: 'form', explode: false };
    default:
      return { style: 'form', explode: false };
  }
}

const SCHEMA_KEYS = ['type', 'format', 'items', 'enum', 'default', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf'];

function pickSchemaKeys(param: Json): Json {
  const schema: Json = {};
  for (const key of SCHEMA_KEYS) if (param[key] !== undefined) schema[key] = param[key];
  if (schema.items && typeof schema.items === 'object') schema.items = pickSchemaKeys(schema.items as Json);
  return schema;
}

/** Swagger 2 schemas are nearly 3.0 schemas; fix `type: file` and `x-nullable`. */
function convertSchema(schema: Json | undefined): Json {
  if (!schema || typeof schema !== 'object') return {};
  const stack: Json[] = [schema];
  const seen = new Set<Json>();
  while (stack.length) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    if (node.type === 'file') {
      node.type = 'string';
      node.format = 'binary';
    }
    if (node['x-nullable'] === true) {
      node.nullable = true;
      delete node['x-nullable'];
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) {
        for (const v of value) if (v && typeof v === 'object') stack.push(v as Json);
      } else if (value && typeof value === 'object') stack.push(value as Json);
    }
  }
  return schema;
}

function convertResponse(response: Json, produces: string[]): Json {
  const out: Json = { description: response.description ?? '' };
  if (response.schema) {
    out.content = Object.fromEntries(produces.map((t) => [t, { schema: convertSchema(response.schema as Json) }]));
  }
  if (response.headers) out.headers = mapValues(response.headers as Json, (h) => ({ schema: pickSchemaKeys(h as Json), ...((h as Json).description ? { description: (h as Json).description } : {}) }));
  return out;
}

function convertSecurityScheme(scheme: Json): Json {
  const description = scheme.description ? { description: scheme.description } : {};
  if (scheme.type === 'basic') return { type: 'http', scheme: 'basic', ...description };
  if (scheme.type === 'apiKey') return { type: 'apiKey', name: scheme.name, in: scheme.in, ...description };
  if (scheme.type === 'oauth2') {
    const scopes = (scheme.scopes ?? {}) as Json;
    const flowName = { application: 'clientCredentials', accessCode: 'authorizationCode', implicit: 'implicit', password: 'password' }[String(scheme.flow)] ?? 'clientCredentials';
    const flow: Json = { scopes };
    if (scheme.tokenUrl) flow.tokenUrl = scheme.tokenUrl;
    if (scheme.authorizationUrl) flow.authorizationUrl = scheme.authorizationUrl;
    return { type: 'oauth2', flows: { [flowName]: flow }, ...description };
  }
  return { ...scheme };
}

/** Deep copy with 2.0 ref targets moved to their 3.0 homes (JSON round-trip: input is plain JSON). */
function rewriteRefs(input: Json): Json {
  const text = JSON.stringify(input)
    .replace(/"\$ref":"#\/definitions\//g, '"$ref":"#/components/schemas/')
    .replace(/"\$ref":"#\/parameters\//g, '"$ref":"#/components/parameters/')
    .replace(/"\$ref":"#\/responses\//g, '"$ref":"#/components/responses/');
  return JSON.parse(text) as Json;
}

function mapValues(object: Json, fn: (value: Json) => unknown): Json {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fn(v as Json)]));
}
