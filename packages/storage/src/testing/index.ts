// Test support for storage adapters: the shared conformance suite and fault injection.
export { runStorageConformance, type StorageFactory } from './storage-conformance.js';
export {
  FaultyStorage,
  InjectedStorageError,
  STORAGE_OPERATIONS,
  type OperationEvent,
  type OperationHook,
  type RecordedOperation,
  type StorageOperation,
} from './faulty-storage.js';
