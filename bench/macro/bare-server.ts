// The ceiling: a bare node:http server answering a fixed JSON body (GET) or echoing (POST),
// as in shared/bench/ceiling.mjs.
import http from 'node:http';

const GET_BODY = Buffer.from(JSON.stringify({ _key: '12345', _id: 'docs/12345', _rev: '_hXk2aa---', name: 'ceiling', value: 42 }));
const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': GET_BODY.length });
    res.end(GET_BODY);
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`ready ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
