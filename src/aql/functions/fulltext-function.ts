import { ArangoError } from '../../errors/index.ts';
import { fulltextMatches, fulltextWords, parseFulltextQuery, readPath } from '../../storage/index.ts';
import type { AqlDocument } from '../data-source.ts';
import { toStringValue } from '../values.ts';
import type { FunctionContext } from './function-types.ts';

/**
 * `FULLTEXT(coll, attribute, query, limit)`: the documents of `coll` whose `attribute` matches the
 * fulltext `query` (syntax in storage/fulltext-index.ts), at most `limit` when it is a positive
 * number. Like ArangoDB, it needs a fulltext index on exactly that attribute (else 1571, at run
 * time) and checks read access on the collection at run time, as DOCUMENT() does. The data source
 * answers from the index; where it cannot (a transaction's own writes, in-memory sources) the
 * collection is scanned with the index's tokenizer, which gives the same result.
 */
export function fulltextFunction(ctx: FunctionContext, [coll, attribute, query, limit]: readonly unknown[]): AqlDocument[] {
  const name = toStringValue(coll);
  ctx.requireRead(name);
  const desc = ctx.dataSource.collection(name);
  if (desc === undefined) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection or view not found: ${name}`);
  const index = desc.indexes.find((ix) => ix.type === 'fulltext' && ix.fields.length === 1 && ix.fields[0] === attribute);
  if (index === undefined) throw new ArangoError('ERROR_QUERY_FULLTEXT_INDEX_MISSING', `no suitable fulltext index found for fulltext query on '${name}'`);
  if (typeof query !== 'string') throw new ArangoError('ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH', "invalid argument type in call to function 'FULLTEXT()'");
  const terms = parseFulltextQuery(query);
  const max = typeof limit === 'number' && limit >= 1 ? Math.floor(limit) : Infinity;
  const out: AqlDocument[] = [];
  const fromIndex = ctx.dataSource.fulltext?.(desc.name, index.id, query, max);
  if (fromIndex !== undefined) {
    for (const d of fromIndex) {
      out.push(d);
      if (out.length >= max) break;
    }
    return out;
  }
  const minLength = index.minLength ?? 2;
  let n = 0;
  for (const d of ctx.dataSource.scan(desc.name)) {
    if ((++n & 1023) === 0) ctx.checkAlive();
    if (!fulltextMatches(fulltextWords(readPath(d, index.fields[0] ?? ''), minLength), terms)) continue;
    out.push(d);
    if (out.length >= max) break;
  }
  return out;
}
