import { ArangoError } from '../../errors/index.ts';
import type { WriteOptions } from '../../storage/index.ts';
import type { RequestContext } from '../context.ts';

/** Reads the document API's write options from the query string and the If-Match header. */
export function writeOptions(ctx: RequestContext, collectionWaitForSync: boolean): WriteOptions & { silent: boolean } {
  let overwriteMode: WriteOptions['overwriteMode'];
  const mode = ctx.query.get('overwriteMode');
  if (mode !== null) {
    if (mode !== 'ignore' && mode !== 'replace' && mode !== 'update' && mode !== 'conflict') {
      throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', `invalid overwriteMode '${mode}'`);
    }
    overwriteMode = mode;
  } else if (ctx.flag('overwrite', false)) overwriteMode = 'replace';
  const ifMatch = ctx.req.headers['if-match'];
  const opts: { -readonly [K in keyof WriteOptions]: WriteOptions[K] } & { silent: boolean } = {
    waitForSync: ctx.flag('waitForSync', collectionWaitForSync),
    keepNull: ctx.flag('keepNull', true),
    mergeObjects: ctx.flag('mergeObjects', true),
    ignoreRevs: ctx.flag('ignoreRevs', true),
    returnNew: ctx.flag('returnNew', false),
    returnOld: ctx.flag('returnOld', false),
    silent: ctx.flag('silent', false),
  };
  if (overwriteMode !== undefined) opts.overwriteMode = overwriteMode;
  if (typeof ifMatch === 'string') opts.expectedRev = unquote(ifMatch);
  return opts;
}

/** Strips the quotes of an ETag value. */
export function unquote(etag: string): string {
  const t = etag.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Turns a per-document error into the array-mode entry and counts it for X-Arango-Error-Codes. */
export function arrayError(err: unknown, counts: Map<number, number>): Record<string, unknown> {
  if (err instanceof ArangoError) {
    counts.set(err.errorNum, (counts.get(err.errorNum) ?? 0) + 1);
    return { error: true, errorNum: err.errorNum, errorMessage: err.message, ...err.extra };
  }
  throw err;
}

/** The X-Arango-Error-Codes header for an array operation, if any document failed. */
export function errorCodesHeader(counts: Map<number, number>): Record<string, string> {
  if (counts.size === 0) return {};
  return { 'x-arango-error-codes': JSON.stringify(Object.fromEntries(counts)) };
}
