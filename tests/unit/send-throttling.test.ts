/**
 * The send chokepoint when sending has to wait: SES over its sending rate (MailThrottledError from the
 * mailer) and the system's own send-rate ceiling. Either way the task fails with SendThrottled, which
 * the engine retries; nothing is left claimed or counted, the timeline is not flooded, and the email
 * goes exactly once when the retry gets through. An unknown outcome still keeps the claim.
 */
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.js';
import { MailThrottledError } from '../../functions/core/errors.js';
import type { Contact } from '../../functions/core/model.js';
import type { OutgoingEmail, SendRateCeiling } from '../../functions/core/ports.js';
import { deliverRepEmail } from '../../functions/core/rep-send.js';
import { CEILING_WAIT, sendLeadEmail, type SendDeps, type SendRequest } from '../../functions/core/send.js';
import { leadTemplates } from '../../workflows/templates/index.js';
import { aLead } from '../fakes/leads.js';
import { InMemoryContactStore, InMemoryLeadStore, RecordingMailer, sequentialIds, testSendSettings } from '../fakes/index.js';
import { onboardingWorld } from '../fakes/reps.js';

const NOW = '2026-03-02T09:00:00.000Z';
const EMAIL = 'ada@example.com';

/** SES over its sending rate for the first `times` sends, then taking them. */
class ThrottledMailer extends RecordingMailer {
  attempts = 0;
  constructor(private times: number) {
    super();
  }
  override async send(email: OutgoingEmail) {
    this.attempts += 1;
    if (this.times > 0) {
      this.times -= 1;
      throw new MailThrottledError('SES is throttling (429): Maximum sending rate exceeded.');
    }
    return super.send(email);
  }
}

/** A ceiling of `perSecond` sends in any one second of the clock the chokepoint passes. */
class CountingCeiling implements SendRateCeiling {
  readonly seconds = new Map<number, number>();
  constructor(private readonly perSecond: number) {}
  async tryAcquire(now: Date) {
    const second = Math.floor(now.getTime() / 1000);
    const taken = this.seconds.get(second) ?? 0;
    if (taken >= this.perSecond) return false;
    this.seconds.set(second, taken + 1);
    return true;
  }
}

/** Also remembers a second it found full, as the DynamoDB ceiling does, and counts the calls it makes. */
class RememberingCeiling extends CountingCeiling {
  calls = 0;
  private full?: number;
  knownFull(now: Date) {
    return this.full === Math.floor(now.getTime() / 1000);
  }
  override async tryAcquire(now: Date) {
    if (this.knownFull(now)) return false;
    this.calls += 1;
    const granted = await super.tryAcquire(now);
    if (!granted) this.full = Math.floor(now.getTime() / 1000);
    return granted;
  }
}

const marketing: SendRequest = { leadId: 'lead-1', run: 1, stage: 'awareness', stepId: 'educational-1', template: 'awareness-educational-1', category: 'marketing' };

/** A transactional step of its own id (no cap, no consent question): only the ceiling stands in its way. */
const step = (stepId: string): SendRequest => ({ ...marketing, stepId, category: 'transactional', template: 'awareness-welcome' });

async function world(mailer: RecordingMailer, rate?: SendRateCeiling, contact: Partial<Contact> = {}) {
  const leads = new InMemoryLeadStore();
  await leads.create(aLead({ email: EMAIL }), []);
  const contacts = new InMemoryContactStore();
  await contacts.save({ email: EMAIL, consent: { given: true, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web' }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...contact } as Contact, 0);
  const clock = fixedClock(NOW);
  const deps: SendDeps = {
    leads,
    contacts,
    mailer,
    clock,
    ids: sequentialIds(),
    templates: leadTemplates,
    settings: testSendSettings(),
    ...(rate ? { rate } : {}),
  };
  return { leads, contacts, clock, deps };
}

describe('the send chokepoint when SES is over its sending rate', () => {
  it('gives the claim back and fails with SendThrottled, so the retried task sends the email exactly once', async () => {
    const mailer = new ThrottledMailer(1);
    const { leads, deps } = await world(mailer);

    const err = await sendLeadEmail(deps, marketing).catch((e: Error) => e);
    expect(err).toBeInstanceOf(MailThrottledError);
    expect(err).toMatchObject({ name: 'SendThrottled' });
    expect(leads.ledger.size).toBe(0);

    expect(await sendLeadEmail(deps, marketing)).toEqual({ outcome: 'sent' });
    expect(await sendLeadEmail(deps, marketing)).toEqual({ outcome: 'duplicate' });
    expect(mailer.sent).toHaveLength(1);
    expect(leads.ledger.get('lead-1/awareness#educational-1')).toMatchObject({ status: 'sent' });
  });

  it('leaves one "sent" entry on the timeline and one send on the frequency cap, however often it was throttled', async () => {
    const mailer = new ThrottledMailer(5);
    const { leads, contacts, deps } = await world(mailer, undefined, { recentMarketingSends: ['2026-03-01T09:00:00.000Z'] });

    for (let i = 0; i < 5; i++) await expect(sendLeadEmail(deps, marketing)).rejects.toMatchObject({ name: 'SendThrottled' });
    // Nothing claimed, nothing noted, nothing counted while it waits.
    expect(await leads.timeline('lead-1')).toEqual([]);
    expect((await contacts.get(EMAIL))!.recentMarketingSends).toEqual(['2026-03-01T09:00:00.000Z']);

    expect(await sendLeadEmail(deps, marketing)).toEqual({ outcome: 'sent' });
    expect(mailer.attempts).toBe(6);
    expect((await leads.timeline('lead-1')).map((e) => e.type)).toEqual(['email_sent']);
    expect((await contacts.get(EMAIL))!.recentMarketingSends).toEqual(['2026-03-01T09:00:00.000Z', NOW]);
  });

  it('still keeps the claim when the outcome is unknown (a timeout), so a retry never sends a second copy', async () => {
    const mailer = new RecordingMailer();
    mailer.send = async () => {
      throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    };
    const { leads, deps } = await world(mailer, new CountingCeiling(10));

    await expect(sendLeadEmail(deps, marketing)).rejects.toThrow('socket hang up');
    expect(await sendLeadEmail(deps, marketing)).toEqual({ outcome: 'duplicate' });
    expect(leads.ledger.get('lead-1/awareness#educational-1')).toMatchObject({ status: 'claimed' });
  });

  it('gives a rep’s claim back the same way', async () => {
    const w = onboardingWorld();
    const mailer = new ThrottledMailer(1);
    const rep = { repId: 'rep-1', name: 'Nia Trainee', email: 'nia@example.com', status: 'onboarding' as const, createdAt: NOW };
    await w.reps.put(rep);
    const req = { repId: 'rep-1', to: 'rep' as const, step: 'note', what: 'a note', compose: () => ({ message: { subject: 'A note', intro: ['Hello'] } }) };

    await expect(deliverRepEmail({ ...w.deps, mailer }, req)).rejects.toMatchObject({ name: 'SendThrottled' });
    expect(await w.reps.ledger('rep-1')).toEqual([]);
    expect(await deliverRepEmail({ ...w.deps, mailer }, req)).toEqual({ outcome: 'sent' });
    expect(await w.reps.types('rep-1')).toEqual(['email_sent']);
    expect(mailer.sent.map((m) => m.subject)).toEqual(['A note']);
  });
});

describe('the send-rate ceiling', () => {
  it('lets sends through up to the ceiling in a second, then fails with SendThrottled before claiming or counting anything', async () => {
    const mailer = new RecordingMailer();
    const ceiling = new CountingCeiling(2);
    const { leads, contacts, clock, deps } = await world(mailer, ceiling);
    // The clock stands still: waiting in place finds no free slot.
    const waits: number[] = [];
    deps.rateWait = { ...CEILING_WAIT, sleep: async (ms) => void waits.push(ms) };
    const contactBefore = await contacts.get(EMAIL);

    expect(await sendLeadEmail(deps, step('a'))).toEqual({ outcome: 'sent' });
    expect(await sendLeadEmail(deps, step('b'))).toEqual({ outcome: 'sent' });
    const err = await sendLeadEmail(deps, marketing).catch((e: Error) => e);
    expect(err).toBeInstanceOf(MailThrottledError);
    expect(err).toMatchObject({ name: 'SendThrottled', message: expect.stringMatching(/ceiling/) });
    expect(waits).toHaveLength(CEILING_WAIT.attempts - 1);
    expect(mailer.sent).toHaveLength(2);
    expect(leads.ledger.has('lead-1/awareness#educational-1')).toBe(false);
    expect((await leads.timeline('lead-1')).map((e) => e.data?.stepId)).toEqual(['a', 'b']);
    expect((await contacts.get(EMAIL))!.recentMarketingSends).toEqual(contactBefore!.recentMarketingSends);

    // The next second has its own slots: the retried task sends it.
    clock.set(new Date(Date.parse(NOW) + 1000));
    expect(await sendLeadEmail(deps, marketing)).toEqual({ outcome: 'sent' });
    expect(mailer.sent).toHaveLength(3);
  });

  it('waits in place for the next second’s slot, so a short burst over the ceiling still goes at once', async () => {
    const mailer = new RecordingMailer();
    const { leads, clock, deps } = await world(mailer, new CountingCeiling(1));
    deps.rateWait = { ...CEILING_WAIT, sleep: async () => clock.advance(1000) };

    expect(await sendLeadEmail(deps, step('a'))).toEqual({ outcome: 'sent' });
    expect(await sendLeadEmail(deps, step('b'))).toEqual({ outcome: 'sent' });
    expect(mailer.sent).toHaveLength(2);
    expect((await leads.timeline('lead-1')).map((e) => e.type)).toEqual(['email_sent', 'email_sent']);
  });

  it('waits out a second it knows is full before reading anything, then fails with SendThrottled without a call', async () => {
    const mailer = new RecordingMailer();
    const ceiling = new RememberingCeiling(1);
    const { leads, contacts, deps } = await world(mailer, ceiling);
    const waits: number[] = [];
    deps.rateWait = { ...CEILING_WAIT, sleep: async (ms) => void waits.push(ms) };
    expect(await sendLeadEmail(deps, step('a'))).toEqual({ outcome: 'sent' });
    // The second's one slot is gone; the next send is refused once and the ceiling remembers it.
    await expect(sendLeadEmail(deps, step('b'))).rejects.toBeInstanceOf(MailThrottledError);
    expect(ceiling.calls).toBe(2);

    let reads = 0;
    const get = { lead: leads.get.bind(leads), contact: contacts.get.bind(contacts) };
    leads.get = async (id) => (reads++, get.lead(id));
    contacts.get = async (email) => (reads++, get.contact(email));
    waits.length = 0;
    const err = await sendLeadEmail(deps, step('c')).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'SendThrottled', message: expect.stringMatching(/ceiling/) });
    expect(waits).toHaveLength(CEILING_WAIT.attempts - 1);
    expect({ reads, calls: ceiling.calls }).toEqual({ reads: 0, calls: 2 });
    expect(mailer.sent).toHaveLength(1);
  });

  it('reads and sends once the wait reaches a second with room', async () => {
    const mailer = new RecordingMailer();
    const ceiling = new RememberingCeiling(1);
    const { leads, clock, deps } = await world(mailer, ceiling);
    deps.rateWait = { ...CEILING_WAIT, sleep: async () => void clock.advance(1000) };
    expect(await sendLeadEmail(deps, step('a'))).toEqual({ outcome: 'sent' });
    expect(await ceiling.tryAcquire(clock.now())).toBe(false);

    expect(await sendLeadEmail(deps, step('b'))).toEqual({ outcome: 'sent' });
    expect(mailer.sent).toHaveLength(2);
    expect((await leads.timeline('lead-1')).map((e) => e.data?.stepId)).toEqual(['a', 'b']);
  });

  it('takes no slot for an email it skips or defers', async () => {
    const ceiling = new CountingCeiling(1);
    const { contacts, deps } = await world(new RecordingMailer(), ceiling);
    await contacts.save({ ...(await contacts.get(EMAIL))!, suppressed: { reason: 'unsubscribed', at: NOW } } as Contact, 1);

    expect(await sendLeadEmail(deps, marketing)).toMatchObject({ outcome: 'skipped' });
    expect(ceiling.seconds.size).toBe(0);
  });
});
