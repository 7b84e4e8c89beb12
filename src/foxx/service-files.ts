import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import vm from 'node:vm';
import { ArangoError } from '../errors/index.ts';
import { findServiceRoot } from './bundle.ts';
import type { ServiceManifest } from './manifest.ts';
import { bundlePathSegments, servicePathSegments } from './mount.ts';
import { extractZip } from './zip-extract.ts';

/** Where a database's services live on disk below `<dataDir>/foxx` (ArangoDB's app-path layout). */
export class ServiceFiles {
  readonly appPath: string;
  constructor(appPath: string) {
    this.appPath = appPath;
  }

  serviceDir(database: string, mount: string): string {
    return path.join(this.appPath, ...servicePathSegments(database, mount));
  }

  bundleFile(database: string, mount: string): string {
    return path.join(this.appPath, ...bundlePathSegments(database, mount));
  }

  /** A fresh scratch directory below `<appPath>/_tmp` (the caller removes it). */
  async tempDir(): Promise<string> {
    const dir = path.join(this.appPath, '_tmp', randomUUID());
    await fs.mkdir(dir, { recursive: true });
    return dir;
  }

  /** Per-service writable scratch folder handed to the sandbox. */
  scratchDir(database: string, mount: string): string {
    return path.join(this.appPath, '_scratch', database, mount.replace(/\//g, '_'));
  }

  /** Installs a service folder atomically: copies `root` next to the target, then swaps it in. */
  async placeFolder(database: string, mount: string, root: string, bundle: Uint8Array): Promise<void> {
    const dir = this.serviceDir(database, mount);
    const staging = `${dir}.new-${randomUUID()}`;
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await fs.cp(root, staging, { recursive: true });
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(staging, dir);
    const bundleFile = this.bundleFile(database, mount);
    await fs.mkdir(path.dirname(bundleFile), { recursive: true });
    await fs.writeFile(`${bundleFile}.tmp`, bundle);
    await fs.rename(`${bundleFile}.tmp`, bundleFile);
  }

  /** Extracts a stored bundle into the service folder (self-heal). */
  async extractBundle(database: string, mount: string, bundle: Uint8Array): Promise<void> {
    const tmp = await this.tempDir();
    try {
      // extractZip wants a destination that does not exist yet.
      const dest = path.join(tmp, 'bundle');
      const files = await extractZip(bundle, dest);
      const rootInBundle = findServiceRoot(files);
      await this.placeFolder(database, mount, rootInBundle === '' ? dest : path.join(dest, ...rootInBundle.split('/')), bundle);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  }

  async removeService(database: string, mount: string): Promise<void> {
    await fs.rm(this.serviceDir(database, mount), { recursive: true, force: true });
    await fs.rm(this.bundleFile(database, mount), { force: true });
    await fs.rm(this.scratchDir(database, mount), { recursive: true, force: true });
  }

  async readBundle(database: string, mount: string): Promise<Buffer | undefined> {
    return fs.readFile(this.bundleFile(database, mount)).catch(() => undefined);
  }

  async exists(p: string): Promise<boolean> {
    return fs.stat(p).then(() => true, () => false);
  }

  /**
   * Deletes folders and bundle zips of a database that no mount in `mounts` owns (self-heal's
   * orphan sweep).
   */
  async removeOrphans(database: string, mounts: readonly string[]): Promise<void> {
    const base = path.join(this.appPath, '_db', database);
    const keepDirs = new Set(mounts.map((m) => this.serviceDir(database, m)));
    const keepBundles = new Set(mounts.map((m) => this.bundleFile(database, m)));
    const bundles = path.join(base, '_appbundles');
    for (const name of await fs.readdir(bundles).catch(() => [] as string[])) {
      const f = path.join(bundles, name);
      if (!keepBundles.has(f)) await fs.rm(f, { force: true });
    }
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (!entry.isDirectory() || dir === base && entry.name === '_appbundles') continue;
        const child = path.join(dir, entry.name);
        if (entry.name === 'APP') {
          if (!keepDirs.has(child)) await fs.rm(child, { recursive: true, force: true });
        } else if (!entry.name.includes('.new-')) await walk(child);
      }
    };
    await walk(base);
  }
}

/**
 * ArangoDB's syntax check of `main` and every script before a service is accepted:
 * missing → 3100, unparsable → 3101 (nothing is executed here).
 */
export async function syntaxCheck(root: string, manifest: ServiceManifest): Promise<void> {
  const files = [manifest.main, ...Object.values(manifest.scripts)].filter((f): f is string => typeof f === 'string');
  for (const rel of files) {
    const abs = path.resolve(root, rel);
    const source = await fs.readFile(abs, 'utf8').catch(() => undefined);
    if (source === undefined) throw new ArangoError('ERROR_MODULE_NOT_FOUND', `cannot locate module\nFile: ${abs}`);
    if (abs.endsWith('.json')) continue;
    try {
      new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source.replace(/^#!.*/, '')}\n})`, { filename: abs });
    } catch (err) {
      throw new ArangoError('ERROR_MODULE_SYNTAX_ERROR', `syntax error in module\nFile: ${abs}\n${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
