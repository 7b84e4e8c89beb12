import { ArangoError } from '../errors/index.ts';

/** The Analyzer types kitsune can tokenize with (ArangoDB 3.12 names). */
export const SUPPORTED_TYPES = [
  'identity', 'delimiter', 'multi_delimiter', 'stem', 'norm', 'ngram', 'text', 'segmentation',
  'collation', 'stopwords', 'pipeline', 'minhash', 'wildcard',
] as const;

/** Types ArangoDB knows that kitsune refuses with 501 (they need a query engine per token, a model or geo tokens). */
const UNSUPPORTED_TYPES = new Set(['aql', 'classification', 'nearest_neighbors', 'geojson', 'geopoint', 'geo_s2']);

/** One of the supported Analyzer types. */
export type AnalyzerType = (typeof SUPPORTED_TYPES)[number];

/** An Analyzer feature (only meaningful for Views and inverted indexes). */
export type AnalyzerFeature = 'frequency' | 'norm' | 'position' | 'offset';

const FEATURE_ORDER: readonly AnalyzerFeature[] = ['frequency', 'norm', 'position', 'offset'];

/** A JSON object of normalized properties, as `/_api/analyzer` answers them. */
export type AnalyzerProperties = Readonly<Record<string, unknown>>;

/** A validated Analyzer: type, normalized properties (defaults filled in) and features. */
export interface AnalyzerDefinition {
  readonly type: AnalyzerType;
  readonly properties: AnalyzerProperties;
  readonly features: readonly AnalyzerFeature[];
}

/** A type and properties nested in `pipeline`, `minhash` or `wildcard` (no name, no features). */
export interface NestedAnalyzer {
  readonly type: AnalyzerType;
  readonly properties: AnalyzerProperties;
}

const NAME_RE = /^[a-zA-Z][a-zA-Z0-9_-]*$/;
const MAX_NAME_BYTES = 254;
const MAX_PROPERTIES_BYTES = 1024 * 1024;

function bad(message: string): ArangoError {
  return new ArangoError('ERROR_BAD_PARAMETER', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws 400 / errorNum 10 unless `name` is a valid Analyzer name (letter first, then `[a-zA-Z0-9_-]`, ≤ 254 bytes). */
export function validateAnalyzerName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_RE.test(name) || Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw bad(`invalid characters in analyzer name '${String(name)}'`);
  }
  return name;
}

function optBool(p: Record<string, unknown>, key: string, dflt: boolean, type: string): boolean {
  const v = p[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw bad(`'${key}' of a '${type}' analyzer must be a boolean`);
  return v;
}

function optString(p: Record<string, unknown>, key: string, dflt: string | undefined, type: string): string | undefined {
  const v = p[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'string') throw bad(`'${key}' of a '${type}' analyzer must be a string`);
  return v;
}

function reqString(p: Record<string, unknown>, key: string, type: string): string {
  const v = optString(p, key, undefined, type);
  if (v === undefined) throw bad(`a '${type}' analyzer needs the string property '${key}'`);
  return v;
}

function uint(v: unknown, key: string, type: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw bad(`'${key}' of a '${type}' analyzer must be an unsigned integer`);
  }
  return v;
}

function oneOf<T extends string>(p: Record<string, unknown>, key: string, values: readonly T[], dflt: T, type: string): T {
  const v = p[key];
  if (v === undefined) return dflt;
  const hit = values.find((x) => x === v);
  if (hit === undefined) throw bad(`'${key}' of a '${type}' analyzer must be one of ${values.map((x) => `"${x}"`).join(', ')}`);
  return hit;
}

function stringArray(v: unknown, key: string, type: string): string[] {
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    throw bad(`'${key}' of a '${type}' analyzer must be an array of strings`);
  }
  return [...v];
}

function edgeNgram(v: unknown): AnalyzerProperties | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw bad(`'edgeNgram' of a 'text' analyzer must be an object`);
  const out: Record<string, unknown> = {};
  if (v['min'] !== undefined) out['min'] = uint(v['min'], 'edgeNgram.min', 'text');
  if (v['max'] !== undefined) out['max'] = uint(v['max'], 'edgeNgram.max', 'text');
  if (typeof out['min'] === 'number' && typeof out['max'] === 'number' && out['min'] > out['max']) {
    throw bad(`'edgeNgram.min' must not exceed 'edgeNgram.max'`);
  }
  if (v['preserveOriginal'] !== undefined) out['preserveOriginal'] = optBool(v, 'preserveOriginal', false, 'text');
  return out;
}

const CASES = ['lower', 'upper', 'none'] as const;

/** Validates the type name; 501 for ArangoDB types kitsune does not implement, 400 for unknown ones. */
function parseType(type: unknown): AnalyzerType {
  if (typeof type !== 'string') throw bad('the analyzer type must be a string');
  const hit = SUPPORTED_TYPES.find((t) => t === type);
  if (hit !== undefined) return hit;
  if (UNSUPPORTED_TYPES.has(type)) throw new ArangoError('ERROR_NOT_IMPLEMENTED', `analyzer type '${type}' is not implemented`);
  throw new ArangoError('ERROR_NOT_IMPLEMENTED', `Not implemented analyzer type '${type}'.`);
}

/** Validates a nested `{type, properties}` (pipeline members, minhash/wildcard inner Analyzer). */
function nested(v: unknown, where: string, isPipelineMember: boolean): NestedAnalyzer {
  if (!isObject(v)) throw bad(`'${where}' must be an object with 'type' and 'properties'`);
  const type = parseType(v['type']);
  if (isPipelineMember && type === 'pipeline') throw bad(`a pipeline cannot contain a 'pipeline' analyzer`);
  return { type, properties: normalizeProperties(type, v['properties'] ?? {}) };
}

/**
 * Checks `properties` for `type` and fills in ArangoDB's defaults, so the stored and the answered
 * definitions look as in 3.12 (e.g. `norm` answers `{locale, case, accent}`). Throws 400 / errorNum
 * 10 on a missing or ill-typed property.
 */
export function normalizeProperties(type: AnalyzerType, properties: unknown): AnalyzerProperties {
  if (properties === null || properties === undefined) properties = {};
  if (!isObject(properties)) throw bad(`the properties of a '${type}' analyzer must be an object`);
  const p = properties;
  switch (type) {
    case 'identity':
      return {};
    case 'delimiter':
      return { delimiter: reqString(p, 'delimiter', type) };
    case 'multi_delimiter': {
      // the 3.12 documentation's examples spell it `delimiter`; the server's property is `delimiters`
      const list = stringArray(p['delimiters'] ?? p['delimiter'], 'delimiters', type);
      return { delimiters: list };
    }
    case 'stem':
      return { locale: reqString(p, 'locale', type) };
    case 'norm':
      return { locale: reqString(p, 'locale', type), case: oneOf(p, 'case', CASES, 'none', type), accent: optBool(p, 'accent', true, type) };
    case 'ngram': {
      if (p['min'] === undefined || p['max'] === undefined || p['preserveOriginal'] === undefined) {
        throw bad(`an 'ngram' analyzer needs 'min', 'max' and 'preserveOriginal'`);
      }
      const min = uint(p['min'], 'min', type);
      const max = uint(p['max'], 'max', type);
      if (min < 1 || min > max) throw bad(`'min' of an 'ngram' analyzer must be at least 1 and at most 'max'`);
      return {
        min, max,
        preserveOriginal: optBool(p, 'preserveOriginal', false, type),
        streamType: oneOf(p, 'streamType', ['binary', 'utf8'] as const, 'binary', type),
        startMarker: optString(p, 'startMarker', '', type),
        endMarker: optString(p, 'endMarker', '', type),
      };
    }
    case 'text': {
      const out: Record<string, unknown> = {
        locale: reqString(p, 'locale', type),
        case: oneOf(p, 'case', CASES, 'lower', type),
        stopwords: p['stopwords'] === undefined ? [] : stringArray(p['stopwords'], 'stopwords', type),
        accent: optBool(p, 'accent', false, type),
        stemming: optBool(p, 'stemming', true, type),
      };
      const edge = edgeNgram(p['edgeNgram']);
      if (edge !== undefined) out['edgeNgram'] = edge;
      if (p['stopwordsPath'] !== undefined) {
        throw new ArangoError('ERROR_NOT_IMPLEMENTED', `'stopwordsPath' of a 'text' analyzer is not supported (give 'stopwords')`);
      }
      return out;
    }
    case 'segmentation':
      return { case: oneOf(p, 'case', CASES, 'lower', type), break: oneOf(p, 'break', ['all', 'alpha', 'graphic'] as const, 'alpha', type) };
    case 'collation':
      return { locale: reqString(p, 'locale', type) };
    case 'stopwords': {
      if (p['stopwords'] === undefined) throw bad(`a 'stopwords' analyzer needs 'stopwords'`);
      const words = stringArray(p['stopwords'], 'stopwords', type);
      const hex = optBool(p, 'hex', false, type);
      if (hex && !words.every((w) => /^(?:[0-9a-fA-F]{2})*$/.test(w))) throw bad(`'stopwords' must be hex-encoded when 'hex' is true`);
      return { stopwords: words, hex };
    }
    case 'pipeline': {
      const list = p['pipeline'];
      if (!Array.isArray(list) || list.length === 0) throw bad(`a 'pipeline' analyzer needs a non-empty array 'pipeline'`);
      return { pipeline: list.map((m, i) => nested(m, `pipeline[${i}]`, true)) };
    }
    case 'minhash': {
      const numHashes = uint(p['numHashes'], 'numHashes', type);
      if (numHashes < 1 || numHashes > 65536) throw bad(`'numHashes' of a 'minhash' analyzer must be between 1 and 65536`);
      return { analyzer: nested(p['analyzer'] ?? { type: 'identity' }, 'analyzer', false), numHashes };
    }
    case 'wildcard': {
      const ngramSize = uint(p['ngramSize'], 'ngramSize', type);
      if (ngramSize < 2) throw bad(`'ngramSize' of a 'wildcard' analyzer must be at least 2`);
      const out: Record<string, unknown> = { ngramSize };
      if (p['analyzer'] !== undefined) out['analyzer'] = nested(p['analyzer'], 'analyzer', false);
      return out;
    }
  }
}

/** Validates features: known names, `position` needs `frequency`, `offset` needs both. Canonical order. */
export function normalizeFeatures(features: unknown): AnalyzerFeature[] {
  if (features === undefined || features === null) return [];
  if (!Array.isArray(features)) throw bad('analyzer features must be an array of strings');
  const set = new Set<AnalyzerFeature>();
  for (const f of features) {
    const hit = FEATURE_ORDER.find((x) => x === f);
    if (hit === undefined) throw bad(`unknown analyzer feature '${String(f)}'`);
    set.add(hit);
  }
  if (set.has('position') && !set.has('frequency')) throw bad(`analyzer feature 'position' requires 'frequency'`);
  if (set.has('offset') && !set.has('position')) throw bad(`analyzer feature 'offset' requires 'position' and 'frequency'`);
  return FEATURE_ORDER.filter((f) => set.has(f));
}

/** Validates a whole definition as `POST /_api/analyzer` receives it (name checked separately). */
export function parseAnalyzerDefinition(type: unknown, properties: unknown, features: unknown): AnalyzerDefinition {
  const t = parseType(type);
  // ArangoDB bounds the size of an Analyzer's properties the same way
  if (JSON.stringify(properties ?? {}).length > MAX_PROPERTIES_BYTES) throw bad(`analyzer properties are larger than ${MAX_PROPERTIES_BYTES} bytes`);
  const def: AnalyzerDefinition = { type: t, properties: normalizeProperties(t, properties), features: normalizeFeatures(features) };
  if (t === 'wildcard' && def.features.includes('offset')) throw bad(`a 'wildcard' analyzer cannot have the 'offset' feature`);
  return def;
}

/** True when two definitions are the same (a repeated create answers 200 instead of a name collision). */
export function sameDefinition(a: AnalyzerDefinition, b: AnalyzerDefinition): boolean {
  return a.type === b.type && JSON.stringify(a.properties) === JSON.stringify(b.properties) && a.features.join() === b.features.join();
}
