// Test fixture: a separate process that holds a FileStorage lock until it is killed.
import { createFileStorage } from './file-storage.js';

const root = process.argv[2];
if (root === undefined) throw new Error('usage: lock-holder.fixture.ts <dir>');
const storage = await createFileStorage({ path: root });
await storage.put('held', new TextEncoder().encode('by child'));
// A 'message' listener keeps the IPC channel referenced, so we stay alive until killed.
process.on('message', () => {});
process.send?.({ locked: true });
