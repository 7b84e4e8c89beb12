import path from 'node:path';
import type { AgencyClient } from '../agency/index.ts';
import { LocalDeployment } from './local-deployment.ts';

/** Options of `kitsune starter`. */
export interface StarterOptions {
  readonly servers: number;
  readonly dataDir: string;
  readonly basePort: number;
  readonly deployment: string;
  readonly host: string;
}

export const STARTER_USAGE = `usage: kitsune starter --mode activefailover [--servers 2] [--data-dir ./af-data] [--base-port 8529]
                       [--deployment kitsune] [--host 127.0.0.1]
  servers listen on base-port, base-port+1, …; etcd (the agency) on base-port+100 (client) and +101 (peer)`;

/** Parses the starter's flags; throws an Error with a message for bad input. */
export function parseStarterArgs(argv: readonly string[]): StarterOptions {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(`--${flag}`);
    if (i >= 0) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(`--${flag}=`));
    return eq?.slice(flag.length + 3);
  };
  const mode = get('mode');
  if (mode !== 'activefailover') throw new Error('the starter needs --mode activefailover');
  const servers = Number(get('servers') ?? 2);
  const basePort = Number(get('base-port') ?? 8529);
  if (!Number.isInteger(servers) || servers < 1 || servers > 9) throw new Error('--servers must be 1..9');
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65_000) throw new Error('--base-port must be a port number');
  return {
    servers,
    basePort,
    dataDir: path.resolve(get('data-dir') ?? './af-data'),
    deployment: get('deployment') ?? 'kitsune',
    host: get('host') ?? '127.0.0.1',
  };
}

/**
 * `kitsune starter --mode activefailover`: a local deployment in one command. Launches etcd from
 * PATH (Debian package `etcd-server`), then the servers one after another (the first one leads),
 * prints the endpoints and a live status line (leader, followers, lag), and on Ctrl-C stops the
 * servers and etcd. Returns the process exit code.
 */
export async function runStarter(o: StarterOptions, out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
  const d = await LocalDeployment.start(o, out, err);
  if (d === null) return 1;
  const endpoints: string[] = [];
  try {
    for (let i = 0; i < o.servers; i++) endpoints.push(await d.launch(`server${i + 1}`, `server ${i + 1}`, 'activefailover', o.basePort + i));
  } catch (e) {
    err.write(`kitsune starter: ${e instanceof Error ? e.message : String(e)}\n`);
    await d.stop();
    return 1;
  }
  return d.serve(endpoints, status);
}

async function status(agency: AgencyClient): Promise<string> {
  const [leader, members] = await Promise.all([agency.getLeader(), agency.listMembers()]);
  const lead = members.find((m) => m.id === leader?.value.id);
  const leaderTick = BigInt(lead?.appliedTick ?? '0');
  const followers = members
    .filter((m) => m.id !== leader?.value.id)
    .map((m) => {
      const lagMs = Number(leaderTick - BigInt(m.appliedTick)) / 1000;
      return `${m.endpoint} ${m.applierState}${m.applierState === 'tailing' ? ` lag ${Math.max(0, lagMs).toFixed(0)} ms` : ''}`;
    });
  return `leader: ${leader ? `${leader.value.endpoint} (term ${leader.term})` : 'none (election)'} | followers: ${followers.join(', ') || 'none'}`;
}
