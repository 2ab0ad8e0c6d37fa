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

  it('accept only the exact token issued, not another spelling of the same signature', () => {
    // A 32-byte MAC is 43 base64url characters; the last one carries 2 spare bits, so up to four
    // characters there decode to the same bytes. Each of those other spellings must be refused.
    for (const leadId of ['lead-1', 'lead-2', 'lead-3', 'lead-4', 'lead-5', 'lead-6', 'lead-7', 'lead-8']) {
      const token = signUnsubscribeToken(leadId, 'k');
      const last = token.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const value = alphabet.indexOf(last);
      const sameBytes = [1, 2, 3].map((spare) => alphabet[(value & ~3) | spare]!).filter((c) => c !== last);
      for (const c of sameBytes) {
        const respelled = token.slice(0, -1) + c;
        expect(Buffer.from(respelled.split('.')[1]!, 'base64url')).toEqual(Buffer.from(token.split('.')[1]!, 'base64url'));
        expect(verifyUnsubscribeToken(respelled, 'k')).toBeUndefined();
      }
      expect(verifyUnsubscribeToken(token, 'k')).toBe(leadId);
    }
  });
});
