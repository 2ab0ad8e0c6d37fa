/**
 * Reading customers (GET /customers/{customerId}): the profile without its storage-only fields, the
 * NPS answers with the score and the monthly trend computed on read, its timeline and send ledger.
 */
import { NotFoundError } from './errors.js';
import type { Customer } from './model.js';
import { npsByMonth, npsScore } from './nps.js';
import type { CustomerQuery, CustomerStore, Page } from './ports.js';

export interface CustomerReadDeps {
  customers: Pick<CustomerStore, 'get' | 'timeline' | 'ledger'>;
}

/** The customer without its run bookkeeping (optimistic-locking version, run counters, health inputs, programme state). */
export function publicCustomer(customer: Customer) {
  const { version: _v, run: _r, startedRun: _s, signals: _g, retention: _t, ...rest } = customer;
  const nps = customer.nps ?? [];
  return {
    ...rest,
    nps,
    npsScore: npsScore(nps) ?? null,
    npsByMonth: npsByMonth(nps),
    referrals: customer.referrals ?? [],
    tasks: customer.tasks ?? [],
  };
}

export async function getCustomerProfile(deps: CustomerReadDeps, customerId: string) {
  const customer = await deps.customers.get(customerId);
  if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
  const [timeline, ledger] = await Promise.all([deps.customers.timeline(customerId), deps.customers.ledger(customerId)]);
  // Health with its history: every recorded change, oldest first, with the reasons it changed.
  const healthHistory = timeline
    .filter((e) => e.type === 'health_changed')
    .map((e) => ({ at: e.at, score: e.data?.to, band: e.data?.band, reasons: e.data?.reasons ?? [] }));
  return { customer: { ...publicCustomer(customer), healthHistory }, timeline, ledger };
}

/** GET /customers: by health band, or renewing before a date (soonest first), a page at a time. */
export async function listCustomers(deps: { customers: Pick<CustomerStore, 'list'> }, query: CustomerQuery): Promise<Page<ReturnType<typeof publicCustomer>>> {
  const page = await deps.customers.list(query);
  const items = page.items.map(publicCustomer);
  return page.cursor ? { items, cursor: page.cursor } : { items };
}
