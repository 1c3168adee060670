// Coffer behind listen(), in its own process as a deployment runs it: a dev vault with one KV v2
// secret and a non-root token whose policy reads it (the H1 request pays token lookup and ACL).
import { createVault } from 'coffer';
import { listen } from '@coffer/http';

const vault = await createVault({ dev: true });
const root = vault.rootToken!;
await vault.handle({ operation: 'update', path: 'sys/policies/acl/app', token: root, data: { policy: 'path "secret/data/app" { capabilities = ["read"] }' } });
const token = (await vault.handle({ operation: 'update', path: 'auth/token/create', token: root, data: { policies: ['app'] } })).auth!.client_token;
await vault.handle({ operation: 'update', path: 'secret/data/app', token: root, data: { data: { password: 'correct horse battery', username: 'app' } } });
const http = await listen(vault, { port: 0 });
process.stdout.write(`READY ${JSON.stringify({ port: http.address.port, token })}\n`);
process.on('SIGTERM', () => {
  void http.close().then(() => vault.close()).then(() => process.exit(0));
});
