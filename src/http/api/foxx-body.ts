import busboy from 'busboy';
import { ArangoError } from '../../errors/index.ts';
import type { InstallSource } from '../../foxx/manager.ts';
import type { RequestContext } from '../context.ts';

/** What an install/replace/upgrade request carries (spec §2.4). */
export interface ServiceUpload {
  readonly source: InstallSource;
  readonly configuration?: Record<string, unknown>;
  readonly dependencies?: Record<string, unknown>;
}

function parseMultipart(body: Buffer, contentType: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const out: Record<string, unknown> = {};
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: body.length + 1 } });
    } catch (err) {
      reject(new ArangoError('ERROR_HTTP_BAD_PARAMETER', `malformed multipart body: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    bb.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        out[name] = Buffer.concat(chunks);
      });
    });
    bb.on('field', (name, value) => {
      // arangojs 10 JSON-quotes text fields, arangojs 8 (foxx-cli) does not: parse with fallback.
      try {
        out[name] = JSON.parse(value) as unknown;
      } catch {
        out[name] = value;
      }
    });
    bb.on('close', () => resolve(out));
    bb.on('error', (err: unknown) => reject(new ArangoError('ERROR_HTTP_BAD_PARAMETER', `malformed multipart body: ${err instanceof Error ? err.message : String(err)}`)));
    bb.end(body);
  });
}

function options(value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let v: unknown = value;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try {
      v = JSON.parse(value.toString()) as unknown;
    } catch {
      throw new ArangoError('ERROR_SERVICE_OPTIONS_MALFORMED', `failed to parse service options\nCould not parse ${what}.`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ArangoError('ERROR_SERVICE_OPTIONS_MALFORMED', `failed to parse service options\n${what} must be an object.`);
  return v as Record<string, unknown>;
}

function toSource(value: unknown): InstallSource {
  if (Buffer.isBuffer(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string' && value !== '') return /^https?:/i.test(value) ? { url: value } : { path: value };
  throw new ArangoError('ERROR_SERVICE_SOURCE_NOT_FOUND', 'source path not found\nNo service source was given.');
}

/**
 * Reads the service upload of an install/replace/upgrade request: multipart (`source`,
 * `configuration`, `dependencies` parts), JSON `{source: path|URL, …}`, or a raw zip / JS body.
 */
export async function readServiceUpload(ctx: RequestContext): Promise<ServiceUpload> {
  const body = await ctx.body();
  const type = String(ctx.req.headers['content-type'] ?? '').toLowerCase();
  let fields: Record<string, unknown>;
  if (type.startsWith('multipart/form-data')) fields = await parseMultipart(body, String(ctx.req.headers['content-type']));
  else if (type.startsWith('application/json')) {
    const parsed = (await ctx.json()) as unknown;
    if (typeof parsed !== 'object' || parsed === null) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expected a JSON object with "source"');
    fields = parsed as Record<string, unknown>;
  } else fields = { source: body };
  const configuration = options(fields.configuration, 'configuration');
  const dependencies = options(fields.dependencies, 'dependencies');
  return { source: toSource(fields.source), ...(configuration ? { configuration } : {}), ...(dependencies ? { dependencies } : {}) };
}
