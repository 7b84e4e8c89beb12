/** Spawns `fixtures/agency-member-process.ts` and collects the JSON events it reports. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Recorder } from './agency-test-kit.ts';

/** One event line of the member process. */
export interface MemberProcessEvent {
  readonly event: 'ready' | 'leaseLost' | 'leaseRecovered';
  readonly acquired?: boolean;
  readonly term?: number | null;
  readonly reason?: string;
  readonly newLease?: boolean;
  readonly canActAsLeader: boolean;
  readonly leadershipTerm: number | null;
}

/** A running member process. */
export interface MemberProcess {
  readonly events: Recorder<MemberProcessEvent>;
  readonly child: ChildProcess;
  stderr(): string;
  /** SIGKILLs the process (if still alive) and waits for it to exit. */
  kill(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/agency-member-process.ts', import.meta.url));

/** Starts a member process; `ready` arrives as its first event. */
export function startMemberProcess(config: {
  endpoint: string;
  deployment: string;
  memberId: string;
  leaseTtlSeconds: number;
}): MemberProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, JSON.stringify(config)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events = new Recorder<MemberProcessEvent>();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    let nl: number;
    while ((nl = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      if (line.trim() !== '') events.push(JSON.parse(line) as MemberProcessEvent);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-32 * 1024);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    events,
    child,
    stderr: () => stderr,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
