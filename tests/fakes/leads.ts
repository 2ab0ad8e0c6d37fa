import type { Lead } from '../../functions/core/model.js';

export const T0 = '2026-03-01T09:00:00.000Z';

/** A consenting, active awareness lead on run 1; tests override what they are about. */
export function aLead(over: Partial<Lead> = {}): Lead {
  const leadId = over.leadId ?? 'lead-1';
  return {
    leadId,
    email: `${leadId}@example.com`,
    stage: 'awareness',
    status: 'active',
    score: 0,
    run: 1,
    consent: { given: true, textVersion: 'v1', at: T0, sourceForm: 'web-form' },
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...over,
  };
}
