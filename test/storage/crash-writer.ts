// Child process for the crash test: writes documents with 8 concurrent loops and appends
// "key rev" to the ack file after each acknowledged write. Exits when the server goes away.
import fs from 'node:fs';
import { Database } from 'arangojs';

const [endpoint, ackFile, prefix] = process.argv.slice(2) as [string, string, string];
const db = new Database({ url: endpoint, auth: { username: 'root', password: '' }, maxRetries: 0 });
const c = db.collection('crash');
const fd = fs.openSync(ackFile, 'a');
let n = 0;
async function loop(id: number): Promise<void> {
  for (;;) {
    const key = `${prefix}-${id}-${n++}`;
    const meta = await c.save({ _key: key, payload: 'x'.repeat(100), n });
    fs.writeSync(fd, `${meta._key} ${meta._rev}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, (_, i) => loop(i))).catch(() => undefined);
fs.closeSync(fd);
process.exit(0);
