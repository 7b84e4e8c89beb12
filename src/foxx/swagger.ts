import type { ServiceManifest } from './manifest.ts';
import { Endpoint, PARAM, RouterMount, WILDCARD } from './router/endpoint.ts';
import { Router } from './router/router.ts';
import type { Schema } from './router/schema.ts';
import { mergeContexts, type ParamDefinition, type SwaggerContext } from './router/swagger-context.ts';
import { compileRouter, flattenRoutes, type RouteTree } from './router/tree.ts';

/** A JSON-schema-ish object as Swagger 2.0 uses it. */
export type JsonSchema = Record<string, unknown>;

/** The OpenAPI 2.0 document `GET /_api/foxx/swagger` returns (spec §2.3). */
export interface SwaggerDocument {
  swagger: '2.0';
  basePath: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  info: { title?: string; description?: string; version?: string; license?: { name?: string } };
  securityDefinitions?: Record<string, Record<string, unknown>>;
}

/** Inputs of {@link buildSwagger} besides the router. */
export interface SwaggerOptions {
  readonly database: string;
  readonly mount: string;
  readonly manifest?: Pick<ServiceManifest, 'name' | 'description' | 'version' | 'license'>;
}

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    error: { type: 'boolean' },
    errorNum: { type: 'integer' },
    errorMessage: { type: 'string' },
    code: { type: 'integer' },
  },
  required: ['error', 'errorNum', 'errorMessage', 'code'],
};

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function ruleArg(rule: Record<string, unknown>, key: string): unknown {
  return isRecord(rule.args) ? rule.args[key] : undefined;
}

/**
 * Converts a `joi.describe()` result (or the like) to a Swagger/JSON schema: object keys and
 * required keys, array items, string/number limits, integer, enums, defaults, descriptions.
 */
export function describeToSchema(description: unknown): JsonSchema {
  if (!isRecord(description)) return {};
  const flags = isRecord(description.flags) ? description.flags : {};
  const rules = Array.isArray(description.rules) ? description.rules.filter(isRecord) : [];
  const out: JsonSchema = {};
  switch (description.type) {
    case 'object': {
      out.type = 'object';
      if (isRecord(description.keys)) {
        const properties: Record<string, JsonSchema> = {};
        const required: string[] = [];
        for (const [key, child] of Object.entries(description.keys)) {
          properties[key] = describeToSchema(child);
          if (isRecord(child) && isRecord(child.flags) && child.flags.presence === 'required') required.push(key);
        }
        out.properties = properties;
        if (required.length > 0) out.required = required;
      }
      break;
    }
    case 'array': {
      out.type = 'array';
      const items = Array.isArray(description.items) ? description.items : [];
      out.items = items.length > 0 ? describeToSchema(items[0]) : {};
      break;
    }
    case 'string':
      out.type = 'string';
      for (const rule of rules) {
        if (rule.name === 'min') out.minLength = ruleArg(rule, 'limit');
        else if (rule.name === 'max') out.maxLength = ruleArg(rule, 'limit');
        else if (rule.name === 'email') out.format = 'email';
        else if (rule.name === 'guid') out.format = 'uuid';
        else if (rule.name === 'isoDate') out.format = 'date-time';
        else if (rule.name === 'pattern') {
          const regex = ruleArg(rule, 'regex');
          if (typeof regex === 'string') out.pattern = regex.replace(/^\/(.*)\/[a-z]*$/, '$1');
        }
      }
      break;
    case 'number':
      out.type = rules.some((r) => r.name === 'integer') ? 'integer' : 'number';
      for (const rule of rules) {
        if (rule.name === 'min' || rule.name === 'greater') out.minimum = ruleArg(rule, 'limit');
        else if (rule.name === 'max' || rule.name === 'less') out.maximum = ruleArg(rule, 'limit');
      }
      break;
    case 'boolean':
      out.type = 'boolean';
      break;
    case 'date':
      out.type = 'string';
      out.format = 'date-time';
      break;
    case 'binary':
      out.type = 'string';
      out.format = 'binary';
      break;
    case 'alternatives': {
      // Swagger 2.0 has no oneOf; document the first alternative.
      const first = Array.isArray(description.matches) ? description.matches.find(isRecord) : undefined;
      if (first !== undefined) Object.assign(out, describeToSchema(first.schema));
      break;
    }
    default:
      break;
  }
  if (flags.only === true && Array.isArray(description.allow)) out.enum = description.allow.filter((v) => v !== null);
  if (flags.default !== undefined && typeof flags.default !== 'function' && !isRecord(flags.default)) out.default = flags.default;
  if (typeof flags.description === 'string') out.description = flags.description;
  return out;
}

function schemaOf(schema: Schema | undefined): JsonSchema {
  return schema?.describe === undefined ? {} : describeToSchema(schema.describe());
}

function isRequired(schema: Schema | undefined): boolean {
  if (schema?.describe === undefined) return false;
  const d = schema.describe();
  return isRecord(d) && isRecord(d.flags) && d.flags.presence === 'required';
}

function parameter(name: string, where: 'path' | 'query' | 'header', def: ParamDefinition): Record<string, unknown> {
  const schema = schemaOf(def.schema);
  const param: Record<string, unknown> = { name, in: where, required: where === 'path' || isRequired(def.schema), ...schema, type: schema.type ?? 'string' };
  delete param.properties;
  if (def.description !== undefined) param.description = def.description;
  else if (schema.description !== undefined) param.description = schema.description;
  return param;
}

function buildOperation(ctx: SwaggerContext, method: string, pathParamNames: readonly string[], operationId: string): Record<string, unknown> {
  const op: Record<string, unknown> = { operationId };
  if (ctx.summaryText !== undefined) op.summary = ctx.summaryText;
  if (ctx.descriptionText !== undefined) op.description = ctx.descriptionText;
  if (ctx.tags.length > 0) op.tags = [...ctx.tags];
  if (ctx.isDeprecated) op.deprecated = true;
  const parameters: Array<Record<string, unknown>> = [];
  for (const name of pathParamNames) parameters.push(parameter(name, 'path', ctx.pathParams.get(name) ?? { schema: undefined, description: undefined }));
  for (const [name, def] of ctx.queryParams) parameters.push(parameter(name, 'query', def));
  for (const [name, def] of ctx.headers) parameters.push(parameter(name, 'header', def));
  const body = ctx.bodyParam;
  if (body !== undefined && body.contentTypes !== null && method !== 'get' && method !== 'head') {
    op.consumes = [...body.contentTypes];
    const p: Record<string, unknown> = { name: 'body', in: 'body', required: isRequired(body.model?.schema), schema: body.model?.schema === undefined ? { type: 'string', format: 'binary' } : schemaOf(body.model.schema) };
    if (body.description !== undefined) p.description = body.description;
    parameters.push(p);
  }
  op.parameters = parameters;
  const responses: Record<string, unknown> = {};
  const produces = new Set<string>();
  for (const [status, def] of [...ctx.responses].sort((a, b) => a[0] - b[0])) {
    const r: Record<string, unknown> = { description: def.description ?? '' };
    if (def.isError) r.schema = ERROR_SCHEMA;
    else if (def.model?.schema !== undefined) r.schema = schemaOf(def.model.schema);
    for (const t of def.contentTypes) produces.add(t);
    responses[String(status)] = r;
  }
  if (!Object.keys(responses).some((s) => s.startsWith('2'))) responses['200'] = { description: '' };
  responses.default = { description: 'Unexpected error', schema: ERROR_SCHEMA };
  produces.add('application/json');
  op.produces = [...produces];
  op.responses = responses;
  if (ctx.security.size > 0) op.security = [...ctx.security.keys()].map((id) => ({ [id]: [] }));
  return op;
}

/**
 * Builds the service's OpenAPI 2.0 document from its root router: one operation per method of
 * every route (first registration wins for duplicates), parameters and schemas from joi.
 */
export function buildSwagger(root: Router | RouteTree, options: SwaggerOptions): SwaggerDocument {
  const tree = root instanceof Router ? compileRouter(root) : root;
  const paths: SwaggerDocument['paths'] = {};
  const securityDefinitions: Record<string, Record<string, unknown>> = {};
  for (const chain of flattenRoutes(tree)) {
    const endpoint = chain[chain.length - 1];
    if (!(endpoint instanceof Endpoint)) continue;
    const ctx = mergeContexts(chain);
    const parts: string[] = [];
    const names: string[] = [];
    for (const item of chain) {
      if (!(item instanceof RouterMount) && !(item instanceof Endpoint)) continue;
      let i = 0;
      for (const token of item.pathTokens) {
        if (token === PARAM) {
          const name = item.pathParamNames[i++] ?? 'param';
          names.push(name);
          parts.push(`{${name}}`);
        } else if (token === WILDCARD && item === endpoint) parts.push('*');
        else if (typeof token === 'string') parts.push(token);
      }
    }
    const path = `/${parts.join('/')}`;
    const pathItem = (paths[path] ??= {});
    for (const [id, scheme] of ctx.securitySchemes) securityDefinitions[id] = { type: scheme.type, ...scheme.options, ...(scheme.description === undefined ? {} : { description: scheme.description }) };
    for (const m of endpoint.methods) {
      const method = m.toLowerCase();
      if (pathItem[method] !== undefined) continue;
      const operationId = endpoint.name ?? `${m}_${parts.map((p) => p.replace(/[{}*]/g, '')).filter((p) => p !== '').join('_')}`;
      pathItem[method] = buildOperation(ctx, method, names, operationId);
    }
  }
  const info: SwaggerDocument['info'] = {};
  const manifest = options.manifest;
  if (manifest?.name !== undefined) info.title = manifest.name;
  if (manifest?.description !== undefined) info.description = manifest.description;
  if (manifest?.version !== undefined) info.version = manifest.version;
  // ArangoDB always describes the license: `{name}` from the manifest, `{}` without one
  info.license = manifest?.license === undefined ? {} : { name: manifest.license };
  const doc: SwaggerDocument = { swagger: '2.0', basePath: `/_db/${encodeURIComponent(options.database)}${options.mount}`, paths, info };
  if (Object.keys(securityDefinitions).length > 0) doc.securityDefinitions = securityDefinitions;
  return doc;
}
