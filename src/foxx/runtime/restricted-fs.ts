import fs from 'node:fs';
import path from 'node:path';

/** True when `abs` is `dir` or below it. */
export function within(abs: string, dir: string): boolean {
  const rel = path.relative(dir, abs);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function denied(p: string): Error {
  const err = new Error(`EACCES: permission denied, '${p}'`) as Error & { code: string };
  err.code = 'EACCES';
  return err;
}

/**
 * The `fs` a service sees: reads below its own folder or its temp dir, writes only below the
 * temp dir (relative paths resolve against the service folder for reads, the temp dir for writes).
 */
export function restrictedFs(root: string, tmpDir: string): Record<string, unknown> {
  const readable = (p: unknown): string => {
    const abs = path.resolve(root, String(p));
    if (!within(abs, root) && !within(abs, tmpDir)) throw denied(String(p));
    return abs;
  };
  const writable = (p: unknown): string => {
    const abs = path.resolve(tmpDir, String(p));
    if (!within(abs, tmpDir)) throw denied(String(p));
    return abs;
  };
  const ensureTmp = (): void => void fs.mkdirSync(tmpDir, { recursive: true });
  return Object.freeze({
    readFileSync: (p: unknown, enc?: BufferEncoding) => fs.readFileSync(readable(p), enc),
    existsSync: (p: unknown) => {
      try {
        return fs.existsSync(readable(p));
      } catch {
        return false;
      }
    },
    readdirSync: (p: unknown) => fs.readdirSync(readable(p)),
    statSync: (p: unknown) => fs.statSync(readable(p)),
    writeFileSync: (p: unknown, data: string | Uint8Array) => {
      ensureTmp();
      fs.writeFileSync(writable(p), data);
    },
    appendFileSync: (p: unknown, data: string | Uint8Array) => {
      ensureTmp();
      fs.appendFileSync(writable(p), data);
    },
    mkdirSync: (p: unknown) => void fs.mkdirSync(writable(p), { recursive: true }),
    unlinkSync: (p: unknown) => fs.unlinkSync(writable(p)),
    rmSync: (p: unknown) => fs.rmSync(writable(p), { recursive: true, force: true }),
    read: (p: unknown) => fs.readFileSync(readable(p), 'utf8'),
    readBuffer: (p: unknown) => fs.readFileSync(readable(p)),
    write: (p: unknown, data: string | Uint8Array) => {
      ensureTmp();
      fs.writeFileSync(writable(p), data);
    },
    exists: (p: unknown) => {
      try {
        return fs.existsSync(readable(p));
      } catch {
        return false;
      }
    },
    isFile: (p: unknown) => fs.statSync(readable(p)).isFile(),
    isDirectory: (p: unknown) => fs.statSync(readable(p)).isDirectory(),
    list: (p: unknown) => fs.readdirSync(readable(p)),
    listTree: (p: unknown) => {
      const base = readable(p);
      const out: string[] = [''];
      const walk = (dir: string, rel: string): void => {
        for (const name of fs.readdirSync(dir).sort()) {
          const r = rel === '' ? name : `${rel}/${name}`;
          out.push(r);
          if (fs.statSync(path.join(dir, name)).isDirectory()) walk(path.join(dir, name), r);
        }
      };
      if (fs.statSync(base).isDirectory()) walk(base, '');
      return out;
    },
    size: (p: unknown) => fs.statSync(readable(p)).size,
    mtime: (p: unknown) => fs.statSync(readable(p)).mtimeMs / 1000,
    read64: (p: unknown) => fs.readFileSync(readable(p)).toString('base64'),
    readJSON: (p: unknown) => JSON.parse(fs.readFileSync(readable(p), 'utf8')) as unknown,
    append: (p: unknown, data: string | Uint8Array) => {
      ensureTmp();
      fs.appendFileSync(writable(p), data);
    },
    remove: (p: unknown) => fs.unlinkSync(writable(p)),
    makeDirectory: (p: unknown) => fs.mkdirSync(writable(p)),
    makeDirectoryRecursive: (p: unknown) => void fs.mkdirSync(writable(p), { recursive: true }),
    removeDirectory: (p: unknown) => fs.rmdirSync(writable(p)),
    removeDirectoryRecursive: (p: unknown) => fs.rmSync(writable(p), { recursive: true, force: true }),
    copyFile: (from: unknown, to: unknown) => {
      ensureTmp();
      fs.copyFileSync(readable(from), writable(to));
    },
    move: (from: unknown, to: unknown) => fs.renameSync(writable(from), writable(to)),
    getTempPath: () => {
      ensureTmp();
      return tmpDir;
    },
    makeAbsolute: (p: unknown) => path.resolve(root, String(p)),
    normalize: (p: unknown) => path.normalize(String(p)),
    safeJoin: (base: unknown, rel: unknown) => {
      const joined = path.join(String(base), path.join('/', String(rel)));
      return joined;
    },
    home: () => root,
    pathSeparator: path.sep,
    join: (...parts: string[]) => path.join(...parts),
    getTempFile: () => {
      ensureTmp();
      return path.join(tmpDir, `tmp-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    },
  });
}
