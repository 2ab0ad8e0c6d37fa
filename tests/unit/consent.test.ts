import { describe, expect, it } from 'vitest';
import { sendPermission } from '../../functions/core/consent.js';

const consent = (given: boolean) => ({ given, textVersion: 'v1', at: '2026-01-01T00:00:00.000Z', sourceForm: 'web' });

describe('the consent policy', () => {
  it('under opt-in allows marketing and recycle emails only with recorded consent', () => {
    expect(sendPermission({ consent: consent(true) }, 'marketing', 'opt-in')).toEqual({ allowed: true });
    expect(sendPermission({ consent: consent(false) }, 'marketing', 'opt-in')).toEqual({ allowed: false, reason: 'no-consent' });
    expect(sendPermission({ consent: consent(false) }, 'recycle', 'opt-in')).toEqual({ allowed: false, reason: 'no-consent' });
  });

  it('under opt-in allows a transactional confirmation without consent', () => {
    expect(sendPermission({ consent: consent(false) }, 'transactional', 'opt-in')).toEqual({ allowed: true });
  });

  it('under opt-out allows everything to a lead who is not suppressed', () => {
    expect(sendPermission({ consent: consent(false) }, 'recycle', 'opt-out')).toEqual({ allowed: true });
  });

  it('allows nothing to a suppressed lead, whatever the policy, and names the suppression', () => {
    const suppressed = { at: '2026-01-02T00:00:00.000Z', reason: 'bounced' as const };
    for (const policy of ['opt-in', 'opt-out'] as const) {
      expect(sendPermission({ consent: consent(true), suppressed }, 'transactional', policy)).toEqual({ allowed: false, reason: 'bounced' });
    }
  });
});
