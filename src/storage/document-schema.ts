import { validateJsonSchema } from '../common/index.ts';
import { ArangoError } from '../errors/index.ts';

/** When a collection's schema applies (ArangoDB 3.12 levels). */
export type SchemaLevel = 'none' | 'new' | 'moderate' | 'strict';

/** A collection schema as stored and answered in the collection properties. */
export interface CollectionSchema {
  readonly rule: Readonly<Record<string, unknown>>;
  readonly level: SchemaLevel;
  readonly message: string;
  readonly type: 'json';
}

const LEVELS: readonly SchemaLevel[] = ['none', 'new', 'moderate', 'strict'];
/** ArangoDB's message when a schema has none of its own. */
const DEFAULT_MESSAGE = 'Schema violation';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(message: string): ArangoError {
  return new ArangoError('ERROR_VALIDATION_BAD_PARAMETER', message);
}

/**
 * Checks a `schema` collection property: null or `{}` means none; otherwise `rule` must be an
 * object, `level` one of none/new/moderate/strict (default strict), `message` a string, `type`
 * "json". Throws 400 / errorNum 1621 otherwise.
 */
export function parseCollectionSchema(v: unknown): CollectionSchema | null {
  if (v === null || v === undefined || (isObject(v) && Object.keys(v).length === 0)) return null;
  if (!isObject(v)) throw bad('schema must be an object');
  if (!isObject(v['rule'])) throw bad("schema needs a 'rule' object");
  const level = v['level'] ?? 'strict';
  const hit = LEVELS.find((l) => l === level);
  if (hit === undefined) throw bad(`schema level must be one of ${LEVELS.join(', ')}`);
  const message = v['message'] ?? DEFAULT_MESSAGE;
  if (typeof message !== 'string') throw bad('schema message must be a string');
  if (v['type'] !== undefined && v['type'] !== 'json') throw bad("schema type must be 'json'");
  return { rule: v['rule'], level: hit, message, type: 'json' };
}

/** True when the document, less its system attributes, satisfies the rule. */
function isValid(schema: CollectionSchema, doc: Readonly<Record<string, unknown>>): boolean {
  const { _key, _id, _rev, _from, _to, ...rest } = doc;
  void _key; void _id; void _rev; void _from; void _to;
  return validateJsonSchema(schema.rule, rest);
}

/**
 * Applies a collection's schema to a write: inserts from level `new` on, updates and replaces
 * at `strict`, and at `moderate` unless the old document already failed. Throws 400 / errorNum
 * 1620 with the schema's message. Restores and replication (`isRestore`) are never checked.
 */
export function checkSchema(
  stored: unknown,
  doc: Readonly<Record<string, unknown>>,
  old: Readonly<Record<string, unknown>> | undefined,
): void {
  if (!isObject(stored)) return;
  let schema: CollectionSchema | null;
  try {
    schema = parseCollectionSchema(stored);
  } catch {
    return; // a definition written before schemas were checked: not enforced (it could never be set now)
  }
  if (schema === null || schema.level === 'none') return;
  if (old !== undefined) {
    if (schema.level === 'new') return;
    if (schema.level === 'moderate' && !isValid(schema, old)) return;
  }
  if (!isValid(schema, doc)) throw new ArangoError('ERROR_VALIDATION_FAILED', schema.message);
}
