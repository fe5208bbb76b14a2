export { MemoryStore } from './memory-store.js';
export { runStoreContract } from './store-contract.js';
export { FrozenClock } from './frozen-clock.js';
export { assertReaderNeverSkips, assertExclusiveSerialises } from './change-log-stress.js';
export { auditStoreContract } from './audit-store-contract.js';
