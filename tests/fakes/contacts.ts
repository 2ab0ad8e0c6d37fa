/**
 * In-memory ContactStore and unit of work, with the adapters' semantics: a unit of work checks every
 * staged condition before it applies any write, so a failed one leaves nothing written.
 */
import { VersionConflictError } from '../../functions/core/errors.js';
import type { Contact } from '../../functions/core/model.js';
import type { ContactStore, UnitOfWork } from '../../functions/core/ports.js';

const clone = <T>(v: T): T => structuredClone(v);

interface Staged {
  /** Throws the stage's error when its condition does not hold. */
  check(): void;
  apply(): void;
  /** Checked first: a duplicate explains a version conflict, not the reverse. */
  preferred?: boolean;
}

export class InMemoryUnitOfWork implements UnitOfWork {
  private readonly staged: Staged[] = [];

  stage(staged: Staged): this {
    this.staged.push(staged);
    return this;
  }

  async commit() {
    for (const s of [...this.staged.filter((s) => s.preferred), ...this.staged.filter((s) => !s.preferred)]) s.check();
    for (const s of this.staged) s.apply();
  }
}

/** The caller's unit of work, or a fresh one the store commits itself. */
export function inMemoryWork(given: UnitOfWork | undefined): { work: InMemoryUnitOfWork; own: boolean } {
  if (given && !(given instanceof InMemoryUnitOfWork)) throw new Error('an in-memory store can only stage into an in-memory unit of work');
  return given ? { work: given, own: false } : { work: new InMemoryUnitOfWork(), own: true };
}

export class InMemoryContactStore implements ContactStore {
  contacts = new Map<string, Contact>();

  async get(email: string) {
    const contact = this.contacts.get(email);
    return contact && clone(contact);
  }

  async save(contact: Contact, expectedVersion: number, given?: UnitOfWork) {
    const saved = { ...clone(contact), version: expectedVersion + 1 };
    const { work, own } = inMemoryWork(given);
    work.stage({
      check: () => {
        if ((this.contacts.get(contact.email)?.version ?? 0) !== expectedVersion) throw new VersionConflictError(`contact ${contact.email}`);
      },
      apply: () => void this.contacts.set(contact.email, clone(saved)),
    });
    if (own) await work.commit();
    return clone(saved);
  }

  async remove(email: string) {
    this.contacts.delete(email);
  }

  begin() {
    return new InMemoryUnitOfWork();
  }
}
