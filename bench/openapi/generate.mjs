// Deterministic large OpenAPI 3.0 spec, beside the real one (GitHub's, from @octokit/openapi): shaped like vendor
// specs (shared components, recursive schemas, long prose, operations without operationId, deepObject, form bodies).
export function generateSpec({ resources = 240, padding = 7_600 } = {}) {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const words = ['account', 'invoice', 'customer', 'payment', 'refund', 'balance', 'charge', 'dispute', 'payout', 'token', 'session', 'report'];
  const prose = (n) => Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' ');
  const schemas = {
    Node: { type: 'object', properties: { id: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } },
    Error: { type: 'object', required: ['code'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
  };
  for (let i = 0; i < 8; i++) schemas[`Shared${i}`] = { type: 'object', description: prose(10), properties: { label: { type: 'string' }, owner: { $ref: '#/components/schemas/Error' }, tree: { $ref: '#/components/schemas/Node' } } };
  const paths = {};
  for (let r = 0; r < resources; r++) {
    const name = `Resource${r}`;
    const props = {};
    for (let p = 0; p < 12; p++) props[`field${p}`] = p % 4 === 0 ? { type: 'string', nullable: true, description: prose(12) } : p % 4 === 1 ? { type: 'integer', minimum: 0 } : p % 4 === 2 ? { type: 'array', items: { type: 'string' } } : { $ref: p === 3 ? `#/components/schemas/Shared${r % 8}` : p === 7 ? '#/components/schemas/Node' : '#/components/schemas/Error' };
    schemas[name] = { type: 'object', description: prose(40), required: ['field0'], properties: props };
    const tag = `group${r % 24}`;
    const base = `/v1/${words[r % words.length]}s${r}`;
    const ok = (schema) => ({ '200': { description: 'OK', content: { 'application/json': { schema } } }, default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } });
    const longText = prose(padding / 6);
    paths[base] = {
      get: { operationId: `list${name}`, tags: [tag], summary: `List ${name}`, description: longText, parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }, { name: 'expand', in: 'query', style: 'deepObject', schema: { type: 'object', additionalProperties: { type: 'boolean' } } }], responses: ok({ type: 'object', properties: { data: { type: 'array', items: { $ref: `#/components/schemas/${name}` } } } }) },
      post: { operationId: `create${name}`, tags: [tag], summary: `Create ${name}`, description: longText, requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } }, responses: ok({ $ref: `#/components/schemas/${name}` }) },
    };
    paths[`${base}/{id}`] = {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: { operationId: `get${name}`, tags: [tag], summary: `Get ${name}`, description: longText, responses: ok({ $ref: `#/components/schemas/${name}` }) },
      patch: { operationId: `update${name}`, tags: [tag], summary: `Update ${name}`, description: longText, requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { $ref: `#/components/schemas/${name}` } } } }, responses: ok({ $ref: `#/components/schemas/${name}` }) },
      delete: { tags: [tag], summary: `Delete ${name} (no operationId)`, description: longText, responses: { '204': { description: 'Deleted' } } },
    };
  }
  return { openapi: '3.0.3', info: { title: 'Generated', version: '1' }, servers: [{ url: 'https://api.example.com' }], paths, components: { schemas } };
}
