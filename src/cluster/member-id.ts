import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const FILE = 'MEMBER_ID';

/**
 * This server's member id (`SNGL-<uuid>`, ArangoDB's single-server id shape), created on first
 * start and kept in the data directory so a restarted server is recognised as the same member.
 */
export function loadMemberId(dataDir: string): string {
  const file = path.join(dataDir, FILE);
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (/^SNGL-[0-9a-f-]{36}$/.test(id)) return id;
  } catch {
    // first start
  }
  const id = `SNGL-${randomUUID()}`;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${id}\n`);
  return id;
}
