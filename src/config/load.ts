import { OPTIONS, type OptionName, type OptionSpec } from './schema.ts';

type Widen<T> = T extends number ? number : T extends boolean ? boolean : T extends string ? string : readonly string[];

/** The validated, frozen server configuration. */
export type ServerConfig = { readonly [K in OptionName]: Widen<(typeof OPTIONS)[K]['default']> };

/** Thrown for a bad command line or environment value; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function coerce(spec: OptionSpec, raw: string, source: string): string | number | boolean | readonly string[] {
  switch (spec.type) {
    case 'string':
      return raw;
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${source}: expected a number, got '${raw}'`);
      return n;
    }
    case 'boolean':
      if (['true', '1', 'yes', 'on', ''].includes(raw)) return true;
      if (['false', '0', 'no', 'off'].includes(raw)) return false;
      throw new ConfigError(`${source}: expected true or false, got '${raw}'`);
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
}

/**
 * Builds the configuration from defaults, environment and flags (`--name value`,
 * `--name=value`, bare `--flag` for booleans). Unknown flags are an error.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const byFlag = new Map<string, OptionName>();
  for (const [name, spec] of Object.entries(OPTIONS)) byFlag.set(spec.flag, name as OptionName);
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(OPTIONS) as Array<[OptionName, OptionSpec]>) {
    out[name] = spec.default;
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    if (fromEnv !== undefined) out[name] = coerce(spec, fromEnv, spec.env ?? name);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const name = byFlag.get(flag);
    if (!name) throw new ConfigError(`unknown option --${flag}`);
    const spec: OptionSpec = OPTIONS[name];
    let raw: string;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else if (spec.type === 'boolean' && (argv[i + 1] === undefined || argv[i + 1]?.startsWith('--'))) raw = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new ConfigError(`option --${flag} needs a value`);
      raw = next;
      i++;
    }
    out[name] = coerce(spec, raw, `--${flag}`);
  }
  validate(out as ServerConfig);
  return Object.freeze(out) as ServerConfig;
}

function validate(c: ServerConfig): void {
  if (!Number.isInteger(c.port) || c.port < 0 || c.port > 65535) throw new ConfigError('--port must be 0..65535');
  if (!['single', 'activefailover', 'dbserver', 'coordinator'].includes(c.mode)) throw new ConfigError('--mode must be single, activefailover, dbserver or coordinator');
  if (c.mode !== 'single' && c.agency.length === 0) throw new ConfigError(`--mode ${c.mode} needs --agency`);
  if ((c.mode === 'dbserver' || c.mode === 'coordinator') && c.advertise === '') throw new ConfigError(`--mode ${c.mode} needs --advertise`);
  if (!Number.isInteger(c.defaultReplicationFactor) || c.defaultReplicationFactor < 1) throw new ConfigError('--cluster.default-replication-factor must be at least 1');
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(c.logLevel)) throw new ConfigError('--log-level is invalid');
  if (c.foxxWorkers < 1) throw new ConfigError('--foxx.workers must be at least 1');
  if (!(c.jsTransactionTimeoutMs > 0)) throw new ConfigError('--javascript.transaction-timeout must be a positive number of ms');
  if (!Number.isInteger(c.jsTransactionProcesses) || c.jsTransactionProcesses < 1) throw new ConfigError('--javascript.transaction-processes must be at least 1');
}

/** The effective configuration with secrets redacted (for `--print-config`). */
export function redactedConfig(c: ServerConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(OPTIONS) as Array<[OptionName, OptionSpec]>) {
    out[spec.flag] = spec.secret === true && c[name] !== '' ? '***' : c[name];
  }
  return out;
}
