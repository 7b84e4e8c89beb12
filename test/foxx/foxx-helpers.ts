import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipDirectory } from '../../src/foxx/zip-directory.ts';

/** Absolute path of a sample service in `test/fixtures/foxx/`. */
export function fixture(name: string): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'foxx', name);
}

/** A sample service zipped (deterministically), as bytes and as a Blob for arangojs. */
export async function fixtureZip(name: string): Promise<{ bytes: Buffer; blob: Blob }> {
  const bytes = await zipDirectory(fixture(name));
  return { bytes, blob: new Blob([bytes], { type: 'application/zip' }) };
}

/** Every file below `dir` (relative), for "nothing was written" checks. */
export function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}
