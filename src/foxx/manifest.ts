import { posix } from 'node:path';
import { inspect } from 'node:util';
import Joi from 'joi';
import semver from 'semver';
import { ArangoError } from '../errors/index.ts';

/** The `$schema` every normalised manifest carries. */
export const CANONICAL_MANIFEST_SCHEMA = 'http://json.schemastore.org/foxx-manifest';
/** Configuration option types a manifest may declare (spec §1.3). */
export const CONFIGURATION_TYPES = ['integer', 'int', 'boolean', 'bool', 'string', 'number', 'json', 'password'] as const;
/** A configuration option type. */
export type ConfigurationType = (typeof CONFIGURATION_TYPES)[number];

/** A normalised `configuration` entry. */
export interface ConfigurationDefinition {
  readonly type: ConfigurationType;
  readonly required: boolean;
  readonly default?: unknown;
  readonly description?: string;
}

/** A normalised `dependencies` entry (`multiple` is absent for the `"name:version"` string form). */
export interface DependencyDefinition {
  readonly name: string;
  readonly version: string;
  readonly required: boolean;
  readonly multiple?: boolean;
  readonly description?: string;
}

/** A `files` entry: a relative path, or `{path, gzip?, type?}`. */
export type FileDefinition = string | { readonly path: string; readonly gzip?: boolean; readonly type?: string };

/** A normalised manifest; unknown top-level fields are kept as they were. */
export interface ServiceManifest {
  readonly [field: string]: unknown;
  readonly $schema: string;
  readonly name?: string;
  readonly version?: string;
  readonly license?: string;
  readonly author: string;
  readonly description: string;
  readonly main?: string;
  readonly engines?: Readonly<Record<string, string>>;
  readonly defaultDocument?: string;
  readonly configuration: Readonly<Record<string, ConfigurationDefinition>>;
  readonly dependencies: Readonly<Record<string, DependencyDefinition>>;
  readonly provides?: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, FileDefinition>>;
  readonly scripts: Readonly<Record<string, string>>;
  readonly tests: readonly string[];
}

/** Options for {@link parseManifest} / {@link validateManifest}. */
export interface ManifestOptions {
  /** Mount path named in messages. */
  readonly mount?: string;
  /** Server version checked against `engines.arangodb`; default `3.12.0`. */
  readonly serverVersion?: string;
  /** Path named in the 3000 message when the JSON is malformed. */
  readonly filename?: string;
}

/** A validated manifest plus what ArangoDB would only log. */
export interface ManifestResult {
  readonly manifest: ServiceManifest;
  /** Human-readable warnings (unknown fields, odd names, non-semver version, unsatisfied engines). */
  readonly warnings: string[];
  /** True when `engines.arangodb` only allows versions below 3.0.0 (legacy 2.8 mode). */
  readonly legacy: boolean;
}

const RE_EMPTY = /^$/;
const RE_NOT_EMPTY = /./;
const RE_VALID_OPTION_NAME = /^[_$a-z][-_$a-z0-9]*$/i;
const LEGACY_FIELDS = new Set(['assets', 'controllers', 'exports', 'isSystem']);

function keyedObject(value: Joi.Schema): Joi.ObjectSchema {
  return Joi.object().pattern(RE_EMPTY, Joi.forbidden()).pattern(RE_NOT_EMPTY, value);
}

// One schema per field, validated separately so every bad field is reported (ArangoDB's checkManifest).
const FIELD_SCHEMAS: Readonly<Record<string, Joi.Schema>> = {
  $schema: Joi.any(),
  author: Joi.string().allow('').default(''),
  configuration: keyedObject(
    Joi.object({
      default: Joi.any(),
      type: Joi.string().valid(...CONFIGURATION_TYPES).default('string'),
      description: Joi.string(),
      required: Joi.boolean().default(true),
    }).required(),
  ).default({}),
  contributors: Joi.array(),
  defaultDocument: Joi.string().allow(''),
  dependencies: keyedObject(
    Joi.alternatives().try(
      Joi.string().required(),
      Joi.object({
        name: Joi.string().default('*'),
        version: Joi.string().default('*'),
        description: Joi.string(),
        required: Joi.boolean().default(true),
        multiple: Joi.boolean().default(false),
      }).required(),
    ),
  ).default({}),
  description: Joi.string().allow('').default(''),
  engines: keyedObject(Joi.string().required()),
  files: keyedObject(
    Joi.alternatives().try(
      Joi.string().required(),
      Joi.object({ path: Joi.string().required(), gzip: Joi.boolean(), type: Joi.string() }).required(),
    ),
  ).default({}),
  keywords: Joi.array(),
  lib: Joi.string().default('.'),
  license: Joi.string(),
  main: Joi.string(),
  name: Joi.string().pattern(/^[-_a-z][-_a-z0-9]*$/i),
  provides: Joi.alternatives().try(
    Joi.string(),
    Joi.array().items(Joi.string().required()),
    keyedObject(Joi.string().required()),
  ),
  repository: Joi.object({ type: Joi.string().required(), url: Joi.string().required() }),
  scripts: keyedObject(Joi.string().required()).default({}),
  tests: Joi.alternatives().try(Joi.string(), Joi.array().items(Joi.string().required())).default([]),
  thumbnail: Joi.string(),
  version: Joi.string(),
};

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Parses `manifest.json` text and validates it with {@link validateManifest}.
 * Throws `ERROR_MALFORMED_MANIFEST_FILE` (3000) for unparsable JSON or a non-object document,
 * `ERROR_INVALID_SERVICE_MANIFEST` (3001) for invalid fields.
 */
export function parseManifest(text: string | Uint8Array, options: ManifestOptions = {}): ManifestResult {
  const source = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(source.replace(/^\uFEFF/, ''));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ArangoError('ERROR_MALFORMED_MANIFEST_FILE', `failed to parse manifest file\nFile: ${options.filename ?? 'manifest.json'}\nReason: ${reason}`, { cause: err });
  }
  if (!isRecord(raw)) {
    throw new ArangoError('ERROR_MALFORMED_MANIFEST_FILE', `failed to parse manifest file\nFile: ${options.filename ?? 'manifest.json'}\nReason: manifest must be a JSON object`);
  }
  return validateManifest(raw, options);
}

/**
 * Validates and normalises a manifest object field by field (spec §1.3). Errors are collected
 * and thrown together as `ERROR_INVALID_SERVICE_MANIFEST` (3001); everything ArangoDB only logs
 * is returned in `warnings`.
 */
export function validateManifest(input: Readonly<Record<string, unknown>>, options: ManifestOptions = {}): ManifestResult {
  const mount = options.mount ?? '';
  const serverVersion = options.serverVersion ?? '3.12.0';
  const errors: string[] = [];
  const warnings: string[] = [];
  const out: Record<string, unknown> = {};

  for (const [key, schema] of Object.entries(FIELD_SCHEMAS)) {
    const value = input[key];
    const result = schema.validate(value);
    if (result.error) {
      const reason = result.error.message.replace(/^"value"/, 'Value');
      errors.push(`Service at "${mount}" specifies manifest field "${key}" with invalid value ${inspect(value)}: ${reason}`);
    } else if (result.value !== undefined) {
      out[key] = result.value;
    }
  }

  if (out.$schema !== CANONICAL_MANIFEST_SCHEMA) {
    if (out.$schema !== undefined) warnings.push(`Service at "${mount}" specifies unknown "$schema" ${inspect(out.$schema)}; using ${CANONICAL_MANIFEST_SCHEMA}.`);
    out.$schema = CANONICAL_MANIFEST_SCHEMA;
  }

  const legacy = checkEngines(out, mount, serverVersion, errors, warnings);

  for (const key of Object.keys(input)) {
    if (Object.hasOwn(FIELD_SCHEMAS, key)) continue;
    out[key] = input[key];
    if (key === 'engine' && input.engines === undefined) {
      warnings.push(`Service at "${mount}" specifies unknown field "engine". Did you mean "engines"?`);
    } else if (!legacy || !LEGACY_FIELDS.has(key)) {
      warnings.push(`Service at "${mount}" specifies unknown field "${key}".`);
    }
  }

  if (typeof out.version === 'string' && semver.valid(out.version) === null) {
    warnings.push(`Service at "${mount}" specifies version "${out.version}" which is not a valid semver version.`);
  }

  normaliseProvides(out, mount, errors);
  normaliseConfiguration(out, mount, warnings);
  normaliseDependencies(out, mount, errors, warnings);
  if (typeof out.tests === 'string') out.tests = [out.tests];
  checkInsideService(out, mount, errors);
  if (!legacy) joinLib(out);
  if (errors.length === 0) checkInsideService(out, mount, errors);

  if (errors.length > 0) {
    throw new ArangoError('ERROR_INVALID_SERVICE_MANIFEST', `manifest file is invalid\nManifest for service at "${mount}":\n${errors.join('\n')}`);
  }
  return { manifest: out as ServiceManifest, warnings, legacy };
}

function checkEngines(out: Record<string, unknown>, mount: string, serverVersion: string, errors: string[], warnings: string[]): boolean {
  const engines = out.engines;
  if (!isRecord(engines) || typeof engines.arangodb !== 'string') return false;
  const range = engines.arangodb;
  if (semver.validRange(range) === null) {
    errors.push(`Service at "${mount}" specifies manifest field "engines" with invalid value: "arangodb" must be a valid semver range, got "${range}"`);
    return false;
  }
  if (semver.gtr('3.0.0', range)) {
    warnings.push(`Service at "${mount}" expects version "${range}" of ArangoDB and will run in legacy compatibility mode.`);
    return true;
  }
  if (!semver.satisfies(serverVersion, range)) {
    warnings.push(`Service at "${mount}" expects version "${range}" of ArangoDB (currently installed version: ${serverVersion}); it may not work.`);
  }
  return false;
}

function normaliseProvides(out: Record<string, unknown>, mount: string, errors: string[]): void {
  let provides = out.provides;
  if (provides === undefined) return;
  if (typeof provides === 'string') provides = [provides];
  if (Array.isArray(provides)) {
    const map: Record<string, string> = {};
    for (const entry of provides) {
      const [name = '', version] = String(entry).split(':');
      map[name] = version !== undefined && version !== '' ? version : '*';
    }
    provides = map;
  }
  out.provides = provides;
  if (!isRecord(provides)) return;
  for (const [name, version] of Object.entries(provides)) {
    // ArangoDB checks provided versions with semver.valid, so even "*" fails (spec §1.3 quirk).
    if (typeof version !== 'string' || semver.valid(version) === null) {
      errors.push(`Service at "${mount}" specifies manifest field "provides" with invalid version "${String(version)}" for "${name}".`);
    }
  }
}

function normaliseConfiguration(out: Record<string, unknown>, mount: string, warnings: string[]): void {
  if (!isRecord(out.configuration)) return;
  for (const name of Object.keys(out.configuration)) {
    if (!RE_VALID_OPTION_NAME.test(name)) {
      warnings.push(`Service at "${mount}" specifies configuration option "${name}" with a name that is not a valid identifier.`);
    }
  }
}

function normaliseDependencies(out: Record<string, unknown>, mount: string, errors: string[], warnings: string[]): void {
  const deps = out.dependencies;
  if (!isRecord(deps)) return;
  for (const [alias, value] of Object.entries(deps)) {
    if (!RE_VALID_OPTION_NAME.test(alias)) {
      warnings.push(`Service at "${mount}" specifies dependency "${alias}" with a name that is not a valid identifier.`);
    }
    let def = value;
    if (typeof value === 'string') {
      const [name = '', version = ''] = value.split(':');
      def = { name: name === '' ? '*' : name, version: version === '' ? '*' : version, required: true };
      deps[alias] = def;
    }
    const version = isRecord(def) ? def.version : undefined;
    if (typeof version !== 'string' || semver.validRange(version) === null) {
      errors.push(`Service at "${mount}" specifies dependency "${alias}" with invalid version range "${String(version)}".`);
    }
  }
}

/** True when a service-relative path stays inside the service folder (no absolute or `..` escape). */
export function staysInside(file: string): boolean {
  if (file.startsWith('/') || file.startsWith('\\') || /^[a-z]:/i.test(file) || file.includes('\u0000')) return false;
  const norm = posix.normalize(file.replace(/\\/g, '/'));
  return norm !== '..' && !norm.startsWith('../');
}

/** `main`, `lib`, scripts, tests and `files` must name files inside the service folder. */
function checkInsideService(out: Record<string, unknown>, mount: string, errors: string[]): void {
  const check = (field: string, file: unknown): void => {
    if (typeof file === 'string' && !staysInside(file)) errors.push(`Service at "${mount}" specifies manifest field "${field}" with a path outside the service folder: ${JSON.stringify(file)}`);
  };
  check('lib', out.lib);
  check('main', out.main);
  if (Array.isArray(out.tests)) for (const t of out.tests) check('tests', t);
  if (isRecord(out.scripts)) for (const [name, file] of Object.entries(out.scripts)) check(`scripts.${name}`, file);
  if (isRecord(out.files)) {
    for (const [prefix, def] of Object.entries(out.files)) check(`files.${prefix}`, typeof def === 'string' ? def : isRecord(def) ? def.path : undefined);
  }
}

function joinLib(out: Record<string, unknown>): void {
  const lib = typeof out.lib === 'string' ? out.lib : '.';
  const join = (file: string): string => posix.join(lib, file);
  if (typeof out.main === 'string') out.main = join(out.main);
  if (Array.isArray(out.tests)) out.tests = out.tests.map((t) => join(String(t)));
  if (isRecord(out.scripts)) {
    out.scripts = Object.fromEntries(Object.entries(out.scripts).map(([name, file]) => [name, join(String(file))]));
  }
  delete out.lib;
}

/** `files` entries in object form (`"path"` → `{path}`), for building static routes. */
export function normaliseFileDefinitions(files: Readonly<Record<string, FileDefinition>>): Record<string, { path: string; gzip?: boolean; type?: string }> {
  const result: Record<string, { path: string; gzip?: boolean; type?: string }> = {};
  for (const [prefix, def] of Object.entries(files)) result[prefix] = typeof def === 'string' ? { path: def } : { ...def };
  return result;
}
