import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startServer, tempDir, waitFor } from '../harness/server.ts';

const WRITER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-writer.ts');
const ROUNDS = Number(process.env['KITSUNE_CRASH_ROUNDS'] ?? '5');

function acked(file: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [key, rev] = line.split(' ');
    if (key && rev) out.set(key, rev);
  }
  return out;
}

describe('crash safety', () => {
  it(`keeps every acknowledged write across ${ROUNDS} SIGKILLs mid-stream`, { timeout: 180_000 }, async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    const ackFile = path.join(tmp.dir, 'acks.txt');
    const dataDir = path.join(tmp.dir, 'data');
    let server = await startServer({ dataDir });
    await server.db().createCollection('crash');
    for (let round = 0; round < ROUNDS; round++) {
      const before = acked(ackFile).size;
      const writer = spawn(process.execPath, ['--import', 'tsx', WRITER, server.endpoint, ackFile, `r${round}`], { stdio: 'ignore' });
      const writerDone = new Promise<void>((resolve) => writer.once('exit', () => resolve()));
      await waitFor(() => acked(ackFile).size >= before + 200, { timeoutMs: 30_000, what: `200 acknowledged writes in round ${round}` });
      await server.kill();
      await writerDone;
      server = await startServer({ dataDir });
      const c = server.db().collection('crash');
      const expected = acked(ackFile);
      const keys = [...expected.keys()];
      const docs = await c.documents(keys);
      const missing = docs.filter((d) => (d as unknown as { error?: boolean }).error === true);
      assert.equal(missing.length, 0, `round ${round}: ${missing.length} acknowledged writes lost`);
      for (const d of docs) assert.equal(d._rev, expected.get(d._key), `revision of ${d._key}`);
    }
    await server.stop();
  });
});
