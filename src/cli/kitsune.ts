import { CLUSTER_STARTER_USAGE, STARTER_USAGE, parseClusterStarterArgs, parseStarterArgs, runClusterStarter, runStarter } from '../cluster/index.ts';
import { ConfigError, loadConfig, redactedConfig } from '../config/index.ts';
import { agencyAuthOf, setAgencyAuth } from '../agency/index.ts';
import { trustPeerCertificates } from '../http/index.ts';
import { createLogger } from '../log/index.ts';
import { startServer } from '../main.ts';
import { startCoordinator } from '../main-coordinator.ts';
import { startDbServer } from '../main-dbserver.ts';

const USAGE = `usage: kitsune start [--port 8529] [--host 127.0.0.1] [--data-dir ./data] [--auth true]
                     [--jwt-secret-file FILE] [--log-level info] [--print-config] ...`;

/** `kitsune start`: runs the server until SIGTERM/SIGINT; prints the ready line on stdout. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'starter' && (rest.includes('cluster') || rest.includes('--mode=cluster'))) {
    let options;
    try {
      options = parseClusterStarterArgs(rest);
    } catch (err) {
      process.stderr.write(`kitsune starter: ${err instanceof Error ? err.message : String(err)}\n${CLUSTER_STARTER_USAGE}\n`);
      return 2;
    }
    return runClusterStarter(options, process.stdout, process.stderr);
  }
  if (command === 'starter') {
    let options;
    try {
      options = parseStarterArgs(rest);
    } catch (err) {
      process.stderr.write(`kitsune starter: ${err instanceof Error ? err.message : String(err)}\n${STARTER_USAGE}\n`);
      return 2;
    }
    return runStarter(options, process.stdout, process.stderr);
  }
  if (command !== 'start') {
    process.stderr.write(`${USAGE}\n`);
    return command === undefined || command === '--help' ? 0 : 2;
  }
  const printOnly = rest.includes('--print-config');
  let config;
  try {
    config = loadConfig(rest.filter((a) => a !== '--print-config'), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kitsune: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (printOnly) {
    process.stdout.write(`${JSON.stringify(redactedConfig(config), null, 2)}\n`);
    return 0;
  }
  const log = createLogger(config.logLevel);
  let server;
  try {
    // members reach each other over https:// with certificates of the CA in --ssl.cafile
    trustPeerCertificates(config.sslCafile);
    // every etcd connection of the process logs in with --agency.user/--agency.password-file (and TLS)
    setAgencyAuth(agencyAuthOf(config));
    const start = config.mode === 'dbserver' ? startDbServer : config.mode === 'coordinator' ? startCoordinator : startServer;
    server = await start(config, log);
  } catch (err) {
    process.stderr.write(`kitsune: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    log.flush();
    return 1;
  }
  process.stdout.write(`kitsune ready on ${server.endpoint}\n`);
  const running = server;
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info({ signal }, 'shutting down');
      running.stop().then(resolve, (err: unknown) => {
        log.error({ err }, 'error during shutdown');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  log.flush();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kitsune: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
