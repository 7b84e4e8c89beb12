import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { Etcd3, type IOptions } from 'etcd3';

/**
 * How kitsune authenticates to etcd: a user and password (etcd's `auth enable` with a root user)
 * and/or TLS (the CA etcd's certificate is checked against, and a client certificate and key for
 * etcd's `--client-cert-auth`). Empty fields are not used.
 */
export interface AgencyAuth {
  readonly user?: string;
  readonly password?: string;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

/** The agency options of the server configuration. */
export interface AgencyAuthConfig {
  readonly agencyUser: string;
  readonly agencyPasswordFile: string;
  readonly agencyCafile: string;
  readonly agencyCertfile: string;
  readonly agencyKeyfile: string;
}

/** Reads `--agency.password-file` (first line) and collects the agency TLS files. */
export function agencyAuthOf(c: AgencyAuthConfig): AgencyAuth {
  const password = c.agencyPasswordFile === '' ? undefined : (fs.readFileSync(c.agencyPasswordFile, 'utf8').split('\n')[0] ?? '').trim();
  if (c.agencyUser !== '' && password === undefined) throw new Error('--agency.user needs --agency.password-file');
  return {
    ...(c.agencyUser !== '' ? { user: c.agencyUser } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(c.agencyCafile !== '' ? { caFile: c.agencyCafile } : {}),
    ...(c.agencyCertfile !== '' ? { certFile: c.agencyCertfile } : {}),
    ...(c.agencyKeyfile !== '' ? { keyFile: c.agencyKeyfile } : {}),
  };
}

let processAuth: AgencyAuth = {};

/**
 * Sets the credentials every etcd connection of this process uses unless its options name
 * others. Called once at startup from the parsed configuration (or by a starter after it has
 * locked etcd down), so that every agency user in the process, whatever its role, is covered.
 */
export function setAgencyAuth(auth: AgencyAuth): void {
  processAuth = auth;
}

export function currentAgencyAuth(): AgencyAuth {
  return processAuth;
}

/** The etcd3 client options for `auth`: password login and TLS material. */
export function etcdSecurityOptions(auth: AgencyAuth): Pick<IOptions, 'auth' | 'credentials'> {
  const out: { auth?: IOptions['auth']; credentials?: IOptions['credentials'] } = {};
  if (auth.user !== undefined && auth.password !== undefined) out.auth = { username: auth.user, password: auth.password };
  if (auth.caFile !== undefined || auth.certFile !== undefined) {
    out.credentials = {
      // without --agency.cafile etcd's certificate must chain to a system CA
      rootCertificate: auth.caFile !== undefined ? fs.readFileSync(auth.caFile) : Buffer.from(tls.rootCertificates.join('\n')),
      ...(auth.keyFile !== undefined ? { privateKey: fs.readFileSync(auth.keyFile) } : {}),
      ...(auth.certFile !== undefined ? { certChain: fs.readFileSync(auth.certFile) } : {}),
    };
  }
  return out;
}

/** The command-line options that hand `auth` to a member process (the password only as a file). */
export function agencyAuthArgs(auth: AgencyAuth, passwordFile: string): string[] {
  return [
    ...(auth.user !== undefined ? ['--agency.user', auth.user, '--agency.password-file', passwordFile] : []),
    ...(auth.caFile !== undefined ? ['--agency.cafile', auth.caFile] : []),
    ...(auth.certFile !== undefined ? ['--agency.certfile', auth.certFile] : []),
    ...(auth.keyFile !== undefined ? ['--agency.keyfile', auth.keyFile] : []),
  ];
}

/** The agency password of a starter's deployment: `<dir>/agency-password`, generated (0600) on first use. */
export function starterAgencyPassword(dir: string): { file: string; password: string } {
  const file = path.join(dir, 'agency-password');
  if (!fs.existsSync(file)) fs.writeFileSync(file, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  return { file, password: fs.readFileSync(file, 'utf8').trim() };
}

/**
 * Locks etcd down: creates `user` with the `root` role and enables authentication, so nothing
 * reads or writes without credentials (the equivalent of `etcdctl user add root`,
 * `etcdctl user grant-role root root`, `etcdctl auth enable`). Idempotent: when authentication
 * is already on, it checks that `user`/`password` are accepted and fails if not.
 */
export async function lockDownEtcd(endpoints: readonly string[], user: string, password: string, tls: AgencyAuth = {}): Promise<void> {
  const deadline = (): { deadline: number } => ({ deadline: Date.now() + 5000 });
  const open = new Etcd3({ hosts: [...endpoints], ...etcdSecurityOptions({ ...tls, user: undefined, password: undefined } as AgencyAuth), defaultCallOptions: deadline });
  try {
    await open.user(user).create(password).catch((err: unknown) => {
      if (!/already exists/i.test(String(err))) throw err;
    });
    await open.user(user).addRole('root');
    await open.auth.authEnable();
  } catch (err) {
    // authentication may be on already (a restarted starter): then the credentials must work
    const authed = new Etcd3({ hosts: [...endpoints], ...etcdSecurityOptions({ ...tls, user, password }), defaultCallOptions: deadline });
    try {
      await authed.get('/kitsune/auth-check').string();
    } catch {
      throw new Error(`cannot lock the agency down: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      authed.close();
    }
  } finally {
    open.close();
  }
}

/**
 * What a starter does right after its etcd is healthy: locks etcd down with user `root` and the
 * deployment's generated password (`<dataDir>/agency-password`), makes its own agency
 * connections use them, and returns the options that hand them to the members it launches.
 */
export async function lockDownStarterAgency(dataDir: string, endpoint: string): Promise<{ args: string[]; passwordFile: string }> {
  const { file, password } = starterAgencyPassword(dataDir);
  await lockDownEtcd([endpoint], 'root', password);
  const auth: AgencyAuth = { user: 'root', password };
  setAgencyAuth(auth);
  return { args: agencyAuthArgs(auth, file), passwordFile: file };
}
