import querystring from 'node:querystring';
import { createRouter, type Router } from '../router/index.ts';

/** The part of graphql-sync (graphql-js 0.10 with synchronous execution) the router uses. */
export interface GraphqlApi {
  Source: new (body: string, name?: string) => unknown;
  parse(source: unknown): unknown;
  validate(schema: unknown, document: unknown, rules?: unknown[]): unknown[];
  specifiedRules: unknown[];
  execute(schema: unknown, document: unknown, rootValue?: unknown, context?: unknown, variables?: unknown, operationName?: string | null): { data?: unknown; errors?: unknown[] };
  getOperationAST(document: unknown, operationName?: string | null): { operation: string } | null;
  formatError(err: unknown): unknown;
}

interface GraphqlOptions {
  schema?: unknown;
  context?: unknown;
  rootValue?: unknown;
  pretty?: boolean;
  graphiql?: boolean;
  formatError?: (err: unknown) => unknown;
  validationRules?: unknown[];
  /** A graphql-sync of the service's own choosing (ArangoDB's option). */
  graphql?: GraphqlApi;
}

interface Req {
  method: string;
  rawBody: Buffer;
  queryParams: Record<string, unknown>;
  headers: Record<string, string>;
  is(...types: string[]): string | false;
}

interface Res {
  status(code: number): Res;
  set(name: string, value: string): Res;
  json(v: unknown): Res;
  send(v: unknown, type?: string): Res;
}

class GraphqlHttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

function requestParams(req: Req): { query: string | null; variables: unknown; operationName: string | null; raw: boolean } {
  let body: Record<string, unknown> = {};
  const text = req.rawBody.length > 0 ? req.rawBody.toString('utf8') : '';
  if (text !== '') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type === 'application/graphql') body = { query: text };
    else if (type === 'application/x-www-form-urlencoded') body = { ...querystring.parse(text) };
    else {
      try {
        const parsed = JSON.parse(text) as unknown;
        if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
      } catch {
        throw new GraphqlHttpError(400, 'POST body sent invalid JSON.');
      }
    }
  }
  const q = req.queryParams;
  const pick = (name: string): unknown => q[name] ?? body[name];
  const query = pick('query');
  let variables = pick('variables');
  if (typeof variables === 'string') {
    try {
      variables = JSON.parse(variables) as unknown;
    } catch {
      throw new GraphqlHttpError(400, 'Variables are invalid JSON.');
    }
  }
  const operationName = pick('operationName');
  return {
    query: typeof query === 'string' ? query : null,
    variables: typeof variables === 'object' ? variables : null,
    operationName: typeof operationName === 'string' && operationName !== '' ? operationName : null,
    raw: q.raw !== undefined || body.raw !== undefined,
  };
}

function wantsGraphiql(req: Req, raw: boolean): boolean {
  return !raw && req.method === 'GET' && /text\/html/.test(req.headers.accept ?? '') && !/application\/json/.test(req.headers.accept ?? '');
}

function graphiqlPage(query: string | null, variables: unknown, result: unknown): string {
  const esc = (s: string): string => s.replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>GraphiQL</title></head>
<body>
<pre id="query">${esc(query ?? '')}</pre>
<script>var parameters = ${esc(JSON.stringify({ query, variables, result }))};</script>
</body></html>`;
}

/**
 * `@arangodb/foxx/graphql`: `createGraphQLRouter(options)` answers GET and POST at the router's
 * root like express-graphql: `query`, `variables`, `operationName` from the query string or the
 * body (JSON, `application/graphql`, form), 400 for syntax/validation errors, 405 for a mutation
 * over GET, `{data, errors}` as JSON (graphql-sync executes synchronously). `options` may be a
 * function `(req, res) → options`.
 */
export function createGraphqlModule(loadGraphql: () => GraphqlApi): (options: GraphqlOptions | ((req: Req, res: Res) => GraphqlOptions)) => Router {
  return (optionsOrFn) => {
    if (typeof optionsOrFn !== 'function' && (optionsOrFn === null || typeof optionsOrFn !== 'object')) throw new Error('GraphQL router requires options.');
    const router = createRouter();
    const handler = (req: Req, res: Res): void => {
      const options = typeof optionsOrFn === 'function' ? optionsOrFn(req, res) : optionsOrFn;
      if (options?.schema === undefined || options.schema === null) throw new Error('GraphQL middleware options must contain a schema.');
      const gql = options.graphql ?? loadGraphql();
      const format = options.formatError ?? ((e: unknown) => gql.formatError(e));
      const pretty = options.pretty === true;
      const send = (status: number, value: unknown): void => {
        res.status(status);
        res.send(pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value), 'application/json; charset=utf-8');
      };
      let params: ReturnType<typeof requestParams>;
      try {
        params = requestParams(req);
      } catch (err) {
        if (!(err instanceof GraphqlHttpError)) throw err;
        send(err.status, { errors: [{ message: err.message }] });
        return;
      }
      const graphiql = options.graphiql === true && wantsGraphiql(req, params.raw);
      if (params.query === null) {
        if (graphiql) {
          res.send(graphiqlPage(null, params.variables, null), 'text/html; charset=utf-8');
          return;
        }
        send(400, { errors: [{ message: 'Must provide query string.' }] });
        return;
      }
      let document: unknown;
      try {
        document = gql.parse(new gql.Source(params.query, 'GraphQL request'));
      } catch (err) {
        send(400, { errors: [format(err)] });
        return;
      }
      const validationErrors = gql.validate(options.schema, document, [...gql.specifiedRules, ...(options.validationRules ?? [])]);
      if (validationErrors.length > 0) {
        send(400, { errors: validationErrors.map(format) });
        return;
      }
      if (req.method === 'GET') {
        const op = gql.getOperationAST(document, params.operationName);
        if (op !== null && op.operation !== 'query') {
          if (graphiql) {
            res.send(graphiqlPage(params.query, params.variables, null), 'text/html; charset=utf-8');
            return;
          }
          res.set('allow', 'POST');
          send(405, { errors: [{ message: `Can only perform a ${op.operation} operation from a POST request.` }] });
          return;
        }
      }
      let result: { data?: unknown; errors?: unknown[] };
      try {
        result = gql.execute(options.schema, document, options.rootValue, options.context ?? req, params.variables, params.operationName);
      } catch (err) {
        send(400, { errors: [format(err)] });
        return;
      }
      const out: Record<string, unknown> = { data: result.data ?? null };
      if (result.errors !== undefined && result.errors.length > 0) out.errors = result.errors.map(format);
      if (graphiql) {
        res.send(graphiqlPage(params.query, params.variables, out), 'text/html; charset=utf-8');
        return;
      }
      send(result.data === null || result.data === undefined ? 500 : 200, out);
    };
    router.get('/', handler as never);
    router.post('/', handler as never);
    return router;
  };
}
