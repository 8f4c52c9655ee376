import { openStore } from './open';
import { describeStoreContract } from './store.contract';

describeStoreContract('sqlite (:memory:)', () => openStore({ kind: 'sqlite', path: ':memory:' }));
