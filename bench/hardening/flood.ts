// Child process of run.ts: 64 clients guessing passwords (mostly root, every fourth a fresh user
// name) for the given milliseconds; prints one JSON line with the number of guesses and statuses.
const [endpoint = '', ms = '5000', clients = '64'] = process.argv.slice(2);
const until = Date.now() + Number(ms);
let attempts = 0;
const statuses: Record<string, number> = {};
async function flooder(n: number): Promise<void> {
  for (let i = 0; Date.now() < until; i++) {
    const user = i % 4 === 3 ? `guess-${n}-${i}` : 'root';
    const r = await fetch(`${endpoint}/_api/version`, { headers: { authorization: `Basic ${Buffer.from(`${user}:guess-${n}-${i}`).toString('base64')}` } }).catch(() => null);
    if (r) await r.arrayBuffer();
    const s = String(r?.status ?? 'error');
    statuses[s] = (statuses[s] ?? 0) + 1;
    attempts++;
  }
}
process.stdout.write('flooding\n');
await Promise.all(Array.from({ length: Number(clients) }, (_, n) => flooder(n)));
process.stdout.write(`${JSON.stringify({ attempts, statuses })}\n`);
