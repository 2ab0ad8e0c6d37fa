/** The ContactStore contract on the in-memory fakes the core's unit tests use. */
import { contactStoreContract } from '../support/contracts/contact-store.js';
import { InMemoryContactStore, InMemoryLeadStore } from '../fakes/index.js';

contactStoreContract('in-memory fake', () => ({ contacts: new InMemoryContactStore(), leads: new InMemoryLeadStore() }));
