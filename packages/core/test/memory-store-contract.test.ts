import { MemoryStore, runStoreContract } from '@tessera/core/testing';

runStoreContract('memory', async () => new MemoryStore());
