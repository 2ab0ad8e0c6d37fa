import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../../functions/core/unsubscribe-token.js';

describe('unsubscribe tokens', () => {
  it('verify to the lead id they were signed for, for any id', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (leadId, key) => {
      expect(verifyUnsubscribeToken(signUnsubscribeToken(leadId, key), key)).toBe(leadId);
    }));
  });

  it('are URL-safe', () => {
    expect(signUnsubscribeToken('01hx/é+?', 'k')).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('are rejected when signed with another key', () => {
    expect(verifyUnsubscribeToken(signUnsubscribeToken('lead-1', 'key-a'), 'key-b')).toBeUndefined();
  });

  it('are rejected when the lead id is swapped for another', () => {
    const [, sig] = signUnsubscribeToken('lead-1', 'k').split('.');
    const forged = `${Buffer.from('lead-2').toString('base64url')}.${sig}`;
    expect(verifyUnsubscribeToken(forged, 'k')).toBeUndefined();
  });

  it('are rejected when truncated or malformed, without throwing', () => {
    const token = signUnsubscribeToken('lead-1', 'k');
    for (const bad of [token.slice(0, -2), '', '.', 'abc', `${token}.x`, 'a b.c', token.replace('.', '')]) {
      expect(verifyUnsubscribeToken(bad, 'k')).toBeUndefined();
    }
  });
});
