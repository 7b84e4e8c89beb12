export { loadConfig, redactedConfig, ConfigError, type ServerConfig } from './load.ts';
export { OPTIONS, type OptionName, type OptionSpec } from './schema.ts';
