/** The CustomerStore contract on the in-memory fake the core's unit tests use. */
import { InMemoryContactStore } from '../fakes/index.js';
import { InMemoryCustomerStore } from '../fakes/customers.js';
import { customerStoreContract } from '../support/contracts/customer-store.js';

customerStoreContract('in-memory fake', () => {
  const customers = new InMemoryCustomerStore(() => new Date('2026-03-01T09:00:00.000Z'));
  return { customers, contacts: new InMemoryContactStore(), putLegacy: async (customer) => customers.put(customer) };
});
