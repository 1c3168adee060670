// The H1–H4 floor: bare node:http answering a 240-byte Vault-style KV v2 body (performance.md §8).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = JSON.stringify({
  request_id: '8f4e5c0a-1b2c-4d3e-9f80-0123456789ab',
  lease_id: '',
  renewable: false,
  lease_duration: 0,
  data: { data: { password: 'correct horse battery', username: 'app' }, metadata: { version: 1 } },
  wrap_info: null,
  warnings: null,
  auth: null,
});

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(BODY);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
