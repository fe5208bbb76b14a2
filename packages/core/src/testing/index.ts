export { MemoryStore } from './memory-store.js';
export { runStoreContract } from './store-contract.js';
export { FrozenClock } from './frozen-clock.js';
