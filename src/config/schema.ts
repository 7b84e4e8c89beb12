import os from 'node:os';

/**
 * Every server option, once: flag, type, default, environment variable and a doc line.
 * Precedence: defaults < environment < command-line flags.
 */
export interface OptionSpec {
  readonly flag: string;
  readonly type: 'string' | 'number' | 'boolean' | 'list';
  readonly default: string | number | boolean | readonly string[];
  readonly env?: string;
  readonly doc: string;
  readonly secret?: boolean;
}

export const OPTIONS = {
  port: { flag: 'port', type: 'number', default: 8529, env: 'KITSUNE_PORT', doc: 'HTTP port (0 picks a free port)' },
  host: { flag: 'host', type: 'string', default: '127.0.0.1', env: 'KITSUNE_HOST', doc: 'address to listen on' },
  dataDir: { flag: 'data-dir', type: 'string', default: './data', env: 'KITSUNE_DATA_DIR', doc: 'directory of the LMDB data files' },
  auth: { flag: 'auth', type: 'boolean', default: true, env: 'KITSUNE_AUTH', doc: 'require authentication (JWT or Basic)' },
  jwtSecretFile: {
    flag: 'jwt-secret-file',
    type: 'string',
    default: '',
    env: 'KITSUNE_JWT_SECRET_FILE',
    doc: 'file holding the deployment JWT secret (generated into the data dir if absent)',
  },
  rootPassword: { flag: 'root-password', type: 'string', default: '', env: 'KITSUNE_ROOT_PASSWORD', doc: 'initial root password', secret: true },
  logLevel: { flag: 'log-level', type: 'string', default: 'info', env: 'KITSUNE_LOG_LEVEL', doc: 'trace|debug|info|warn|error' },
  maxBodyBytes: { flag: 'http.max-body-bytes', type: 'number', default: 64 * 1024 * 1024, env: 'KITSUNE_MAX_BODY_BYTES', doc: 'largest request body accepted (413 above)' },
  maxBufferedBytes: {
    flag: 'http.max-buffered-bytes',
    type: 'number',
    default: 256 * 1024 * 1024,
    env: 'KITSUNE_MAX_BUFFERED_BYTES',
    doc: 'request body bytes all requests together may buffer at once (503 beyond)',
  },
  maxBufferedBytesPerClient: {
    flag: 'http.max-buffered-bytes-per-client',
    type: 'number',
    default: 0,
    env: 'KITSUNE_MAX_BUFFERED_BYTES_PER_CLIENT',
    doc: 'request body bytes the requests of one client address may buffer at once (503 beyond; 0 = half of --http.max-buffered-bytes)',
  },
  bodyIdleTimeout: {
    flag: 'http.body-idle-timeout',
    type: 'number',
    default: 30,
    env: 'KITSUNE_BODY_IDLE_TIMEOUT',
    doc: 'seconds a request body may send no byte before the request is given up (408) and its connection closed',
  },
  sslKeyfile: {
    flag: 'ssl.keyfile',
    type: 'string',
    default: '',
    env: 'KITSUNE_SSL_KEYFILE',
    doc: 'PEM file with the server certificate (chain) and its private key; set = serve HTTPS only',
  },
  sslCafile: { flag: 'ssl.cafile', type: 'string', default: '', env: 'KITSUNE_SSL_CAFILE', doc: 'PEM file of CAs this process trusts, besides the system\'s, for its own outgoing https:// connections (members, Foxx @arangodb/request); clients are not asked for certificates' },
  authHashConcurrency: { flag: 'auth.hash-concurrency', type: 'number', default: 1, doc: 'password hashes computed at once (off the main thread)' },
  authHashQueue: { flag: 'auth.hash-queue', type: 'number', default: 256, doc: 'logins that may wait for a password hash (503 beyond)' },
  authMaxFailedLogins: { flag: 'auth.max-failed-logins', type: 'number', default: 10, doc: 'failed logins per client address and user before further attempts are refused for the window' },
  authFailedLoginWindow: { flag: 'auth.failed-login-window', type: 'number', default: 60, doc: 'seconds failed logins are counted (and refused after the limit)' },
  logRetentionSeconds: { flag: 'log.retention-seconds', type: 'number', default: 24 * 3600, doc: 'operation log entries older than this are pruned' },
  logRetentionEntries: { flag: 'log.retention-entries', type: 'number', default: 10_000_000, doc: 'operation log keeps at most this many entries' },
  foxxWorkers: { flag: 'foxx.workers', type: 'number', default: 2, doc: 'unused since every Foxx service has its own process (kept for compatibility)' },
  foxxRequestTimeoutMs: { flag: 'foxx.request-timeout', type: 'number', default: 30_000, doc: 'ms of CPU time a service request may use before its service process is restarted' },
  foxxHealIntervalMs: { flag: 'foxx.heal-interval', type: 'number', default: 30_000, doc: 'ms between Foxx self-heal runs' },
  foxxQueuesPollMs: { flag: 'foxx.queues-poll-interval', type: 'number', default: 1000, doc: 'ms between queue polls' },
  foxxQueues: { flag: 'foxx.queues', type: 'boolean', default: true, doc: 'run Foxx queue jobs here (a coordinator started with false is never elected Foxxmaster)' },
  foxxAllowRemote: { flag: 'foxx.allow-install-from-remote', type: 'boolean', default: false, doc: 'allow installing services from http(s) URLs' },
  foxxMemoryMb: { flag: 'foxx.max-memory', type: 'number', default: 256, doc: 'MiB of resident memory (heap and off-heap) each Foxx service process may use' },
  foxxMaxExtractedBytes: { flag: 'foxx.max-extracted-bytes', type: 'number', default: 128 * 1024 * 1024, doc: 'largest extracted size of a Foxx bundle (checked while extracting)' },
  foxxKeepVersions: { flag: 'foxx.keep-versions', type: 'number', default: 5, doc: 'bundles kept per Foxx mount in _appbundles for GET /_api/foxx/versions and POST /_api/foxx/rollback' },
  endpointsAllowlist: {
    flag: 'javascript.endpoints-allowlist',
    type: 'list',
    default: [],
    doc: 'regular expressions of the endpoints @arangodb/request may reach (comma separated; empty: any)',
  },
  jsTransactionTimeoutMs: {
    flag: 'javascript.transaction-timeout',
    type: 'number',
    default: 30_000,
    doc: 'ms (wall clock) a JavaScript transaction\'s action (POST /_api/transaction) may run before it is stopped and rolled back',
  },
  jsTransactionProcesses: {
    flag: 'javascript.transaction-processes',
    type: 'number',
    default: 8,
    doc: 'JavaScript transactions running at once, each in its own process (more wait for a free one)',
  },
  mode: { flag: 'mode', type: 'string', default: 'single', doc: 'single | activefailover | dbserver | coordinator' },
  agency: { flag: 'agency', type: 'list', default: [], env: 'KITSUNE_AGENCY', doc: 'etcd endpoints (comma separated)' },
  advertise: { flag: 'advertise', type: 'string', default: '', doc: 'endpoint other members and clients reach this server at' },
  deployment: { flag: 'deployment', type: 'string', default: 'kitsune', doc: 'deployment name (agency key prefix)' },
  syncFollowers: { flag: 'replication.sync-followers', type: 'number', default: 0, doc: 'followers that must apply a write before it is acknowledged' },
  maxLagForFailover: { flag: 'replication.max-lag-for-failover', type: 'number', default: 10_000_000, doc: 'ticks a follower may lag and still take over' },
  agencyUser: { flag: 'agency.user', type: 'string', default: '', env: 'KITSUNE_AGENCY_USER', doc: 'etcd user (etcd authentication enabled); needs --agency.password-file' },
  agencyPasswordFile: { flag: 'agency.password-file', type: 'string', default: '', env: 'KITSUNE_AGENCY_PASSWORD_FILE', doc: 'file whose first line is the etcd password of --agency.user' },
  agencyCafile: { flag: 'agency.cafile', type: 'string', default: '', doc: 'PEM CA file etcd\'s certificate is verified against (https:// agency endpoints)' },
  agencyCertfile: { flag: 'agency.certfile', type: 'string', default: '', doc: 'PEM client certificate for etcd (--client-cert-auth)' },
  agencyKeyfile: { flag: 'agency.keyfile', type: 'string', default: '', doc: 'PEM private key of --agency.certfile' },
  agencyLeaseTtl: { flag: 'agency.lease-ttl', type: 'number', default: 2, doc: 'seconds a member lease (and the leader key) outlives its last keep-alive' },
  syncTimeoutMs: { flag: 'replication.sync-timeout', type: 'number', default: 5000, doc: 'ms a write waits for its sync followers before it fails (1457)' },
  replicationClientTtl: { flag: 'replication.client-ttl', type: 'number', default: 600, doc: 'seconds a silent follower still holds back operation log pruning' },
  queryThreads: { flag: 'query.threads', type: 'number', default: Math.max(2, os.availableParallelism()), doc: 'query worker threads (queries beyond them wait, state "queued")' },
  queryMemoryLimit: {
    flag: 'query.memory-limit',
    type: 'number',
    default: Math.floor(os.totalmem() * 0.05),
    doc: 'bytes a query may use (SORT, COLLECT, subqueries, results) before it fails with 32; 0 = only the worker heap cap',
  },
  queryThreadNice: { flag: 'query.thread-nice', type: 'number', default: 10, doc: 'scheduling niceness of query threads (0-19; higher leaves the cores to the main thread first)' },
  queryMaxRuntime: { flag: 'query.max-runtime', type: 'number', default: 0, doc: 'seconds after which any query is killed (0 = off)' },
  queryMainThreadMaxRuntime: { flag: 'query.main-thread-max-runtime', type: 'number', default: 0.5, doc: 'seconds a query that must run on the main thread (inside a stream transaction) may take before it fails with errorNum 1500; it holds every other request meanwhile (0 = off)' },
  queryWorkerMemoryMb: {
    flag: 'query.worker-memory-mb',
    type: 'number',
    default: Math.max(256, Math.min(4096, Math.floor(os.totalmem() / 1024 / 1024 / 8))),
    doc: 'V8 heap cap of each query worker (a query that escapes accounting fails alone)',
  },
  defaultReplicationFactor: {
    flag: 'cluster.default-replication-factor',
    type: 'number',
    default: 2,
    doc: 'DB-servers a new database is placed on when createDatabase names no replicationFactor (cluster mode)',
  },
  trxIdleTimeoutSeconds: {
    flag: 'transaction.streaming-idle-timeout',
    type: 'number',
    default: 60,
    doc: 'seconds a stream transaction may stay idle before it is aborted',
  },
  trxMaxSizeBytes: { flag: 'transaction.streaming-max-size', type: 'number', default: 128 * 1024 * 1024, doc: 'largest total document size a stream transaction may write (default of maxTransactionSize)' },
  ttlFrequencyMs: { flag: 'ttl.frequency', type: 'number', default: 30_000, doc: 'ms between runs of the TTL index sweeper' },
  clusterSyncTimeout: {
    flag: 'cluster.sync-timeout',
    type: 'number',
    default: 3,
    doc: 'seconds a leader DB-server waits for an in-sync follower before dropping it from the in-sync set (cluster mode)',
  },
  clusterFailoverRetryTimeout: {
    flag: 'cluster.failover-retry-timeout',
    type: 'number',
    default: 15,
    doc: 'seconds a coordinator holds a request whose database leader is gone, waiting for the failover (cluster mode)',
  },
  clusterFailedServerTimeout: {
    flag: 'cluster.failed-server-timeout',
    type: 'number',
    default: 60,
    doc: 'seconds a DB-server may stay gone before its databases get a replacement follower (cluster mode)',
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
