import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.js';
import { MailRejectedError } from '../../functions/core/errors.js';
import type { OutgoingEmail } from '../../functions/core/ports.js';
import { sendLeadEmail, type SendDeps, type SendRequest } from '../../functions/core/send.js';
import { leadTemplates } from '../../workflows/templates/index.js';
import { aLead } from '../fakes/leads.js';
import { InMemoryContactStore, InMemoryLeadStore, RecordingMailer, sequentialIds, testSendSettings } from '../fakes/index.js';

/** A mailer whose first call fails with the given error, then delivers. */
class FlakyMailer extends RecordingMailer {
  constructor(private failure?: Error) {
    super();
  }
  override async send(email: OutgoingEmail) {
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
    return super.send(email);
  }
}

const lead = aLead({ email: 'ada@example.com' });
const request: SendRequest = { leadId: 'lead-1', run: 1, stage: 'awareness', stepId: 'educational-1', template: 'awareness-educational-1', category: 'marketing' };

async function world(mailer: RecordingMailer) {
  const leads = new InMemoryLeadStore();
  await leads.create(lead, []);
  const deps: SendDeps = {
    leads,
    contacts: new InMemoryContactStore(),
    mailer,
    clock: fixedClock('2026-03-02T09:00:00.000Z'),
    ids: sequentialIds(),
    templates: leadTemplates,
    settings: testSendSettings(),
  };
  return { leads, deps };
}

describe('the send chokepoint when the mail service fails', () => {
  it('gives the claim back when SES refuses the email, so the retried task sends it exactly once', async () => {
    const mailer = new FlakyMailer(new MailRejectedError('SES refused the email (429): throttled'));
    const { leads, deps } = await world(mailer);

    await expect(sendLeadEmail(deps, request)).rejects.toBeInstanceOf(MailRejectedError);
    expect(mailer.sent).toHaveLength(0);
    expect(await sendLeadEmail(deps, request)).toEqual({ outcome: 'sent' });
    expect(await sendLeadEmail(deps, request)).toEqual({ outcome: 'duplicate' });

    expect(mailer.sent).toHaveLength(1);
    // The refused attempt's "sent" entry goes with its claim: the timeline says what happened.
    const types = (await leads.timeline('lead-1')).map((e) => e.type);
    expect(types).toEqual(['email_failed', 'email_sent']);
    expect(leads.ledger.get('lead-1/awareness#educational-1')).toMatchObject({ status: 'sent' });
    // The refused attempt's frequency-cap slot went back with its claim: the email counts once.
    expect((await deps.contacts.get('ada@example.com'))?.recentMarketingSends).toHaveLength(1);
  });

  it('keeps the claim when the outcome is unknown (a timeout), so a retry never sends a second copy', async () => {
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    const mailer = new FlakyMailer(timeout);
    const { leads, deps } = await world(mailer);

    await expect(sendLeadEmail(deps, request)).rejects.toThrow('socket hang up');
    expect(await sendLeadEmail(deps, request)).toEqual({ outcome: 'duplicate' });
    expect(mailer.sent).toHaveLength(0);
    expect(leads.ledger.get('lead-1/awareness#educational-1')).toMatchObject({ status: 'claimed' });
  });
});
