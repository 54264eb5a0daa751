import { MemoryStore } from '../../server/stores/memory.ts';
import { describeStoreContract } from './contract.ts';

describeStoreContract('memory', { open: async () => new MemoryStore() });
