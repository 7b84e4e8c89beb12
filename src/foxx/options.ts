import Joi from 'joi';
import type { ConfigurationDefinition, DependencyDefinition, ServiceManifest } from './manifest.ts';

/** Raw configuration values as stored in `_apps.options.configuration`. */
export type RawConfiguration = Record<string, unknown>;
/** Dependency values as stored in `_apps.options.dependencies` (mount or list of mounts). */
export type RawDependencies = Record<string, string | string[] | undefined>;
/** `{name: message}` warnings, `undefined` when there are none (as ArangoDB returns them). */
export type OptionWarnings = Record<string, string> | undefined;

/** Options for {@link applyConfiguration}. */
export interface ApplyConfigurationOptions {
  /** PUT semantics: manifest options missing from the input are unset too. */
  readonly replace?: boolean;
  /** Development mode keeps stored raw keys the manifest does not know. */
  readonly development?: boolean;
}

/** Result of {@link applyConfiguration}. */
export interface AppliedConfiguration {
  /** New raw values to store. */
  readonly raw: RawConfiguration;
  /** Parsed values for `module.context.configuration` (defaults filled in). */
  readonly parsed: Record<string, unknown>;
  readonly warnings: OptionWarnings;
}

const PARSERS: Readonly<Record<string, Joi.Schema>> = {
  integer: Joi.number().integer(),
  int: Joi.number().integer(),
  number: Joi.number(),
  boolean: Joi.boolean(),
  bool: Joi.boolean(),
  string: Joi.string(),
  password: Joi.string(),
};

type ParseOutcome = { ok: true; value: unknown } | { ok: false; message: string };

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Parses one raw configuration value by its declared type (spec §1.4). */
export function parseConfigurationValue(def: ConfigurationDefinition, raw: unknown): ParseOutcome {
  if (def.type === 'json') {
    try {
      // ArangoDB calls JSON.parse on whatever it got, so a non-string object fails here.
      return { ok: true, value: JSON.parse(raw as string) as unknown };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }
  const schema = PARSERS[def.type] ?? Joi.string();
  const result = schema.validate(raw);
  if (result.error) return { ok: false, message: result.error.message.replace(/^"value"\s+/, '') };
  return { ok: true, value: result.value as unknown };
}

/**
 * Parsed configuration for `module.context.configuration`: manifest defaults, overridden by
 * every stored raw value that parses (values that do not parse keep the default).
 */
export function parseConfiguration(manifest: ServiceManifest, raw: Readonly<RawConfiguration>): Record<string, unknown> {
  const parsed: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(manifest.configuration)) {
    parsed[name] = def.default;
    const value = raw[name];
    if (isUnset(value)) continue;
    const outcome = parseConfigurationValue(def, value);
    if (outcome.ok) parsed[name] = outcome.value;
  }
  return parsed;
}

/**
 * Applies configuration input on top of stored raw values (ArangoDB's `applyConfiguration`):
 * merge (PATCH) by default, replace (PUT) with `replace`. Unset values (`undefined`, `null`, `""`)
 * clear the option and warn `is required` unless `required: false`; unknown names warn
 * `is not allowed`; values that do not parse warn with joi's message and are not stored.
 */
export function applyConfiguration(
  manifest: ServiceManifest,
  stored: Readonly<RawConfiguration>,
  input: Readonly<Record<string, unknown>>,
  options: ApplyConfigurationOptions = {},
): AppliedConfiguration {
  const definitions = manifest.configuration;
  const known = Object.keys(definitions);
  const raw: RawConfiguration = {};
  for (const [name, value] of Object.entries(stored)) {
    // Outside development mode ArangoDB drops stored keys the manifest no longer declares.
    if (options.development === true || Object.hasOwn(definitions, name)) raw[name] = value;
  }
  const parsed = parseConfiguration(manifest, raw);
  const inputNames = Object.keys(input);
  const names = options.replace === true ? [...inputNames, ...known.filter((n) => !inputNames.includes(n))] : inputNames;
  const warnings: Record<string, string> = {};

  for (const name of names) {
    const def = definitions[name];
    if (def === undefined || !Object.hasOwn(definitions, name)) {
      warnings[name] = 'is not allowed';
      continue;
    }
    const value = input[name];
    if (isUnset(value)) {
      raw[name] = undefined;
      parsed[name] = def.default;
      if (def.required !== false) warnings[name] = 'is required';
      continue;
    }
    const outcome = parseConfigurationValue(def, value);
    if (!outcome.ok) {
      warnings[name] = outcome.message;
      continue;
    }
    raw[name] = value;
    parsed[name] = outcome.value;
  }
  return { raw: dropUndefined(raw), parsed, warnings: Object.keys(warnings).length > 0 ? warnings : undefined };
}

function dropUndefined<T>(record: Record<string, T | undefined>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
  return out;
}

/** Options for {@link applyDependencies}. */
export interface ApplyDependenciesOptions {
  /** PUT semantics: manifest dependencies missing from the input are unset too. */
  readonly replace?: boolean;
}

/** Result of {@link applyDependencies}. */
export interface AppliedDependencies {
  readonly raw: RawDependencies;
  readonly warnings: OptionWarnings;
}

/**
 * Applies dependency input (alias → mount, or list of mounts for `multiple`) on top of stored
 * values (spec §1.5). Warnings: `is required`, `is not allowed`, `must be a string`,
 * `at <i> must be a string`.
 */
export function applyDependencies(
  manifest: ServiceManifest,
  stored: Readonly<RawDependencies>,
  input: Readonly<Record<string, unknown>>,
  options: ApplyDependenciesOptions = {},
): AppliedDependencies {
  const definitions = manifest.dependencies;
  const raw: RawDependencies = { ...stored };
  const inputNames = Object.keys(input);
  const known = Object.keys(definitions);
  const names = options.replace === true ? [...inputNames, ...known.filter((n) => !inputNames.includes(n))] : inputNames;
  const warnings: Record<string, string> = {};

  for (const name of names) {
    const def = definitions[name];
    if (def === undefined || !Object.hasOwn(definitions, name)) {
      warnings[name] = 'is not allowed';
      continue;
    }
    const value = input[name];
    if (def.multiple === true) {
      const values: unknown[] = isUnset(value) ? [] : Array.isArray(value) ? value : [value];
      const bad = values.findIndex((v) => typeof v !== 'string');
      if (bad !== -1) {
        warnings[name] = `at ${bad} must be a string`;
        continue;
      }
      const mounts = (values as string[]).filter((v) => v !== '');
      raw[name] = mounts.length > 0 ? mounts : undefined;
      if (mounts.length === 0 && def.required !== false) warnings[name] = 'is required';
      continue;
    }
    if (isUnset(value)) {
      raw[name] = undefined;
      if (def.required !== false) warnings[name] = 'is required';
      continue;
    }
    if (typeof value !== 'string') {
      warnings[name] = 'must be a string';
      continue;
    }
    raw[name] = value;
  }
  return { raw: dropUndefined(raw), warnings: Object.keys(warnings).length > 0 ? warnings : undefined };
}

/** One entry of the full configuration response (spec §2.2). */
export type ConfigurationEntry = ConfigurationDefinition & { title: string; currentRaw: unknown; current: unknown; warning?: string };
/** One entry of the full dependencies response (spec §2.2). */
export type DependencyEntry = DependencyDefinition & { title: string; current: string | string[] | undefined; warning?: string };

/**
 * The configuration response: full `{name: {...def, title, currentRaw, current}}`, or with
 * `minimal` `{name: rawValue ?? default}`. `warnings` (from an apply) add a `warning` to full entries.
 */
export function configurationToJson(
  manifest: ServiceManifest,
  raw: Readonly<RawConfiguration>,
  options: { readonly minimal?: boolean; readonly warnings?: OptionWarnings } = {},
): Record<string, unknown> {
  const parsed = parseConfiguration(manifest, raw);
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(manifest.configuration)) {
    if (options.minimal === true) {
      out[name] = raw[name] === undefined ? def.default : raw[name];
      continue;
    }
    const entry: ConfigurationEntry = { ...def, title: getReadableName(name), currentRaw: raw[name], current: parsed[name] };
    const warning = options.warnings?.[name];
    if (warning !== undefined) entry.warning = warning;
    out[name] = entry;
  }
  return out;
}

/** The dependencies response: full `{alias: {...def, title, current}}` or minimal `{alias: mount}`. */
export function dependenciesToJson(
  manifest: ServiceManifest,
  raw: Readonly<RawDependencies>,
  options: { readonly minimal?: boolean; readonly warnings?: OptionWarnings } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [alias, def] of Object.entries(manifest.dependencies)) {
    if (options.minimal === true) {
      out[alias] = raw[alias];
      continue;
    }
    const entry: DependencyEntry = { ...def, title: getReadableName(alias), current: raw[alias] };
    const warning = options.warnings?.[alias];
    if (warning !== undefined) entry.warning = warning;
    out[alias] = entry;
  }
  return out;
}

/**
 * True when a required configuration option has no value (raw unset and no default) or a
 * required dependency is unset/empty: ArangoDB then mounts a 503 placeholder (spec §1.5).
 */
export function needsConfiguration(manifest: ServiceManifest, config: Readonly<RawConfiguration>, deps: Readonly<RawDependencies>): boolean {
  const parsed = parseConfiguration(manifest, config);
  for (const [name, def] of Object.entries(manifest.configuration)) {
    if (def.required !== false && parsed[name] === undefined) return true;
  }
  for (const [alias, def] of Object.entries(manifest.dependencies)) {
    const value = deps[alias];
    const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
    if (def.required !== false && empty) return true;
  }
  return false;
}

/**
 * Humanises an option name for `title`: `my_opt` → `My Opt`, `maxItemCount` → `Max Item Count`,
 * `setup` → `Setup` (ArangoDB's `getReadableName`).
 */
export function getReadableName(name: string): string {
  const spaced = name
    .replace(/[-_\s]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2');
  return spaced
    .split(' ')
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
