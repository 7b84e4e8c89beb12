import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, buildSync, type BuildOptions } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./service-main.ts', import.meta.url));
/** What runs inside a JavaScript transaction's own context (trx-realm.ts), inlined into the program as text. */
const REALM_ENTRY = fileURLToPath(new URL('./trx-realm.ts', import.meta.url));
/**
 * kitsune's own node_modules: the shipped npm packages services require live there. Its real path:
 * the permission model grants real paths, so a symlinked node_modules (a git worktree's, pnpm's)
 * would be refused to the service processes.
 */
export const NODE_MODULES = realPath(path.resolve(path.dirname(ENTRY), '../../../node_modules'));

function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

let built: string | undefined;
let building: Promise<string> | undefined;

/** The bundle built earlier, if its file is still there. */
function builtFile(): string | undefined {
  return built !== undefined && fs.existsSync(built) ? built : undefined;
}

const OPTIONS: BuildOptions & { write: false } = {
  entryPoints: [ENTRY],
  write: false,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'silent',
  banner: { js: "import { createRequire as __kitsuneCreateRequire } from 'node:module'; const require = __kitsuneCreateRequire(import.meta.url);" },
};

const REALM_OPTIONS: BuildOptions & { write: false } = {
  entryPoints: [REALM_ENTRY],
  write: false,
  bundle: true,
  platform: 'neutral',
  format: 'iife',
  globalName: '__kitsuneTrxRealm',
  target: 'es2022',
  logLevel: 'silent',
};

/** The program's build options with the realm script (esbuild's output for {@link REALM_OPTIONS}) inlined. */
function withRealm(realm: Uint8Array | undefined): BuildOptions & { write: false } {
  if (realm === undefined) throw new Error('esbuild produced no JavaScript transaction realm');
  return { ...OPTIONS, define: { KITSUNE_TRX_REALM: JSON.stringify(Buffer.from(realm).toString('utf8')) } };
}

/** Writes the bundle under a name taken from its content (servers of the same version share one file, none is left stale). */
function store(code: Uint8Array | undefined): string {
  if (code === undefined) throw new Error('esbuild produced no service-process bundle');
  const outDir = path.join(NODE_MODULES, '.cache', 'kitsune-foxx');
  fs.mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, `service-main-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!fs.existsSync(outfile)) {
    const tmp = `${outfile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, outfile);
  }
  built = outfile;
  return outfile;
}

/**
 * Builds the service-process program without blocking the event loop (esbuild's async API runs
 * in its own process). The server starts this when Foxx starts, so the first install never waits
 * for a synchronous build: under load that build held the main thread for most of a second,
 * long enough for an active-failover leader to miss its agency keep-alives.
 */
export function buildServiceProcessBundle(): Promise<string> {
  if (builtFile() !== undefined) return Promise.resolve(built as string);
  building ??= build(REALM_OPTIONS)
    .then((realm) => build(withRealm(realm.outputFiles[0]?.contents)))
    .then((r) => store(r.outputFiles[0]?.contents))
    .finally(() => (building = undefined));
  return building;
}

/**
 * The service-process program as one ESM file, built once per server from `service-main.ts`
 * (tsx cannot run under Node's permission model). It lands in `node_modules/.cache` so that its
 * bare imports (joi, semver, …) resolve to kitsune's packages, which service processes may read.
 * Built synchronously only when {@link buildServiceProcessBundle} has not finished yet.
 */
export function serviceProcessBundle(): string {
  return builtFile() ?? store(buildSync(withRealm(buildSync(REALM_OPTIONS).outputFiles[0]?.contents)).outputFiles[0]?.contents);
}

/** Forgets the built bundle (the file stays, shared by servers of the same version). */
export function removeServiceProcessBundle(): void {
  built = undefined;
}
