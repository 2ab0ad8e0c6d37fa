/** The LeadStore contract on the in-memory fake the core's unit tests use. */
import { leadStoreContract } from '../support/contracts/lead-store.js';
import { InMemoryLeadStore } from '../fakes/index.js';

leadStoreContract('in-memory fake', () => new InMemoryLeadStore());
