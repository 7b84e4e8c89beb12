import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./service-main.ts', import.meta.url));
/** kitsune's own node_modules: the shipped npm packages services require live there. */
export const NODE_MODULES = path.resolve(path.dirname(ENTRY), '../../../node_modules');

let built: string | undefined;

/**
 * The service-process program as one ESM file, built once per server from `service-main.ts`
 * (tsx cannot run under Node's permission model). It lands in `node_modules/.cache` so that its
 * bare imports (joi, semver, …) resolve to kitsune's packages, which service processes may read.
 */
export function serviceProcessBundle(): string {
  if (built !== undefined && fs.existsSync(built)) return built;
  const outDir = path.join(NODE_MODULES, '.cache', 'kitsune-foxx');
  fs.mkdirSync(outDir, { recursive: true });
  const result = buildSync({
    entryPoints: [ENTRY],
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
    banner: { js: "import { createRequire as __kitsuneCreateRequire } from 'node:module'; const require = __kitsuneCreateRequire(import.meta.url);" },
  });
  const code = result.outputFiles[0]?.contents;
  if (code === undefined) throw new Error('esbuild produced no service-process bundle');
  // Named by content: servers of the same version share one file, and none is left stale.
  const outfile = path.join(outDir, `service-main-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!fs.existsSync(outfile)) {
    const tmp = `${outfile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, outfile);
  }
  built = outfile;
  return outfile;
}

/** Forgets the built bundle (the file stays, shared by servers of the same version). */
export function removeServiceProcessBundle(): void {
  built = undefined;
}
