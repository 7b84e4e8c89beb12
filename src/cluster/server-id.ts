import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A cluster server's id (`PRMR-<uuid>` for DB-servers, `CRDN-<uuid>` for coordinators, ArangoDB's
 * shapes), created on first start and kept in `<data-dir>/SERVER_ID` so a restarted server is the
 * same member of the plan.
 */
export function loadServerId(dataDir: string, prefix: 'PRMR' | 'CRDN'): string {
  const file = path.join(dataDir, 'SERVER_ID');
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (id.startsWith(`${prefix}-`) && /^[A-Z]{4}-[0-9a-f-]{36}$/.test(id)) return id;
  } catch {
    // first start
  }
  const id = `${prefix}-${randomUUID()}`;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${id}\n`);
  return id;
}
