// Test harness: a `kv` backend on memory storage with a TestClock and a mount whose options can be tuned.
import type { Backend, BackendEnv, HandlerResult, MountInfo, Operation } from '@coffer/sdk';
import { createTestBackendEnv, type TestClock } from '@coffer/sdk/testing';
import { MemoryStorage, type Storage } from '@coffer/storage';
import { createKvBackend } from '../kv-backend.js';

export interface KvHarness {
  backend: Backend;
  env: BackendEnv;
  clock: TestClock;
  /** The memory storage under the backend (the backend may see it through a wrapper). */
  memory: MemoryStorage;
  call(operation: Operation, path: string, data?: Record<string, unknown>): Promise<HandlerResult | undefined>;
  exists(operation: Operation, path: string, data?: Record<string, unknown>): Promise<boolean | undefined>;
  /** Changes the mount's options, as `sys/mounts/<path>/tune` does. */
  tune(options: Record<string, string>): void;
}

/** A Storage over `inner` without its `transaction`: what a single-process adapter such as the file store offers. */
export function withoutTransactions(inner: Storage): Storage {
  return {
    get: (key) => inner.get(key),
    put: (key, value) => inner.put(key, value),
    delete: (key) => inner.delete(key),
    list: (prefix) => inner.list(prefix),
  };
}

export interface KvHarnessOptions {
  version?: '1' | '2';
  /** `false` hides MemoryStorage's transactions from the backend. */
  transactions?: boolean;
  /** Reuse a storage, e.g. to reopen a mount after a simulated crash. */
  memory?: MemoryStorage;
  /** Puts a wrapper (fault injection) between the backend and the memory storage. */
  wrap?: (storage: Storage) => Storage;
}

export async function createKvHarness(options: KvHarnessOptions = {}): Promise<KvHarness> {
  const version = options.version ?? '2';
  const base = createTestBackendEnv({ options: { version }, type: 'kv', path: 'secret/' });
  const memory = options.memory ?? new MemoryStorage();
  let info: MountInfo = base.mount();
  const env: BackendEnv = {
    ...base,
    storage: (options.wrap ?? ((s: Storage) => s))(options.transactions === false ? withoutTransactions(memory) : memory),
    mount: () => info,
  };
  const backend = await createKvBackend()(env);
  const request = (operation: Operation, path: string, data: Record<string, unknown> = {}) => ({
    operation,
    path,
    data,
    caller: { requestId: 'r', headers: {} },
  });
  return {
    backend,
    env,
    clock: env.clock as TestClock,
    memory,
    call: (operation, path, data) => backend.handle(request(operation, path, data)),
    exists: (operation, path, data) => backend.exists(request(operation, path, data)),
    tune(next) {
      info = { ...info, options: { ...info.options, ...next } };
    },
  };
}
