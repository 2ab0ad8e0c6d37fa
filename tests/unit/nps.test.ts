import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../functions/core/clock.js';
import {
  detractorQuietUntil,
  npsByMonth,
  npsCategory,
  npsScore,
  renderSurveyScale,
  surveyAllowed,
  surveyLinks,
  validNpsScore,
} from '../../functions/core/nps.js';
import { signSurveyToken, verifySurveyToken } from '../../functions/core/nps-token.js';
import { isSelfReferral, referralUrl, signReferralCode, verifyReferralCode } from '../../functions/core/referral.js';
import { signUnsubscribeToken } from '../../functions/core/unsubscribe-token.js';
import { npsConfirmPage, npsInvalidPage, npsThanksPage } from '../../functions/shared/nps-page.js';

const KEY = 'signing-key';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

describe('survey tokens', () => {
  it('verify to the customer and survey they were signed for', () => {
    const token = signSurveyToken('cus-01hx', 'nps#2026-12-01', KEY);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifySurveyToken(token, KEY)).toEqual({ customerId: 'cus-01hx', surveyId: 'nps#2026-12-01' });
  });

  it('are rejected when signed with another key', () => {
    expect(verifySurveyToken(signSurveyToken('cus-1', 'nps#2026-12-01', 'key-a'), 'key-b')).toBeUndefined();
  });

  it('are rejected when the customer id or the survey id is swapped for another', () => {
    const [c, s, sig] = signSurveyToken('cus-1', 'nps#2026-12-01', KEY).split('.');
    expect(verifySurveyToken(`${b64('cus-2')}.${s}.${sig}`, KEY)).toBeUndefined();
    expect(verifySurveyToken(`${c}.${b64('nps#2027-03-01')}.${sig}`, KEY)).toBeUndefined();
    expect(verifySurveyToken(`${s}.${c}.${sig}`, KEY)).toBeUndefined();
  });

  it('are rejected when a character of the signature is changed', () => {
    const token = signSurveyToken('cus-1', 'nps#2026-12-01', KEY);
    const flipped = token.slice(0, -5) + (token.at(-5) === 'A' ? 'B' : 'A') + token.slice(-4);
    expect(verifySurveyToken(flipped, KEY)).toBeUndefined();
  });

  it('are rejected when truncated or malformed, without throwing', () => {
    const token = signSurveyToken('cus-1', 'nps#2026-12-01', KEY);
    for (const bad of [token.slice(0, -1), token.slice(0, -2), '', '..', 'a.b.c', `${token}.x`, token.replace('.', ''), ` ${token}`, `${'A'.repeat(5000)}.${token}`]) {
      expect(verifySurveyToken(bad, KEY)).toBeUndefined();
    }
  });

  it('are never issued for ids outside the charset or over 100 characters', () => {
    expect(() => signSurveyToken('cus 1', 'nps#2026-12-01', KEY)).toThrow(RangeError);
    expect(() => signSurveyToken('cus-1', 'nps\0x', KEY)).toThrow(RangeError);
    expect(() => signSurveyToken('c'.repeat(101), 'nps#2026-12-01', KEY)).toThrow(RangeError);
    expect(() => signSurveyToken('', 'nps#2026-12-01', KEY)).toThrow(RangeError);
    expect(verifySurveyToken(signSurveyToken('c'.repeat(100), 's'.repeat(100), KEY), KEY)).toEqual({ customerId: 'c'.repeat(100), surveyId: 's'.repeat(100) });
  });

  it('do not accept an id outside the charset even when correctly signed', () => {
    // Signed exactly as the scheme signs, but for an id it would never issue: the charset check rejects it.
    const sig = createHmac('sha256', KEY).update('nps\0cus 1\0nps#1', 'utf8').digest().toString('base64url');
    expect(verifySurveyToken(`${b64('cus 1')}.${b64('nps#1')}.${sig}`, KEY)).toBeUndefined();
  });
});

describe('domain separation between the tokens signed with one key', () => {
  it('does not let an unsubscribe token verify as a survey token or a referral code', () => {
    const unsubscribe = signUnsubscribeToken('cus-1', KEY);
    expect(verifySurveyToken(unsubscribe, KEY)).toBeUndefined();
    expect(verifyReferralCode(unsubscribe, KEY)).toBeUndefined();
  });

  it('does not let an unsubscribe signature over the unprefixed survey input verify as a survey token', () => {
    const [, sig] = signUnsubscribeToken('cus-1\0nps#2026-12-01', KEY).split('.');
    expect(verifySurveyToken(`${b64('cus-1')}.${b64('nps#2026-12-01')}.${sig}`, KEY)).toBeUndefined();
  });

  it('does not let a truncated unsubscribe signature for the same id verify as a referral code', () => {
    const [id, sig] = signUnsubscribeToken('cus-1', KEY).split('.');
    const truncated = Buffer.from(sig!, 'base64url').subarray(0, 16).toString('base64url');
    expect(verifyReferralCode(`${id}.${truncated}`, KEY)).toBeUndefined();
  });

  it('does not let a survey token verify as a referral code, nor a referral code as a survey token', () => {
    expect(verifyReferralCode(signSurveyToken('cus-1', 'nps#2026-12-01', KEY), KEY)).toBeUndefined();
    expect(verifySurveyToken(signReferralCode('cus-1', KEY), KEY)).toBeUndefined();
  });
});

describe('NPS categories and scores', () => {
  it('classes 0–6 as detractors, 7–8 as passives and 9–10 as promoters', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsCategory)).toEqual(['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']);
  });

  it('accepts only integers 0 to 10 as scores', () => {
    for (const good of [0, 5, 10]) expect(validNpsScore(good)).toBe(true);
    for (const bad of [-1, 11, 5.5, '7', NaN, Infinity, null, undefined, [7]]) expect(validNpsScore(bad)).toBe(false);
    expect(() => npsCategory(11)).toThrow(RangeError);
  });

  it('scores a mix as the percentage of promoters minus the percentage of detractors', () => {
    expect(npsScore([10, 9, 8, 3].map((score) => ({ score })))).toBe(25);
    expect(npsScore([10, 10, 9].map((score) => ({ score })))).toBe(100);
    expect(npsScore([0, 6].map((score) => ({ score })))).toBe(-100);
    expect(npsScore([7, 8].map((score) => ({ score })))).toBe(0);
    expect(npsScore([10, 0].map((score) => ({ score })))).toBe(0);
    expect(npsScore([10, 10, 0].map((score) => ({ score })))).toBe(33);
  });

  it('rounds equal and opposite mixes to equal and opposite scores', () => {
    const mix = (extreme: number) => [extreme, 7, 7, 7, 7, 7, 7, 7].map((score) => ({ score }));
    expect(npsScore(mix(10))).toBe(13);
    expect(npsScore(mix(0))).toBe(-13);
  });

  it('has no score without answers, and leaves invalid scores out', () => {
    expect(npsScore([])).toBeUndefined();
    expect(npsScore([{ score: 11 }])).toBeUndefined();
    expect(npsScore([{ score: 10 }, { score: NaN }])).toBe(100);
  });

  it('groups answers by UTC month, oldest first', () => {
    expect(
      npsByMonth([
        { score: 3, at: '2026-12-02T10:00:00Z' },
        { score: 10, at: '2026-11-30T23:30:00-02:00' },
        { score: 9, at: '2026-11-03T00:00:00Z' },
        { score: 10, at: 'not a date' },
      ]),
    ).toEqual([
      { month: '2026-11', nps: 100, responses: 1 },
      { month: '2026-12', nps: 0, responses: 2 },
    ]);
  });
});

describe('survey throttling', () => {
  const sent = '2026-01-01T09:00:00.000Z';
  const after = (days: number) => new Date(Date.parse(sent) + days * DAY_MS);

  it('allows the first survey', () => {
    expect(surveyAllowed(undefined, after(0))).toBe(true);
  });

  it('allows no second survey 89 days after the last send, and one after 90', () => {
    expect(surveyAllowed(sent, after(89))).toBe(false);
    expect(surveyAllowed(sent, new Date(after(90).getTime() - 1))).toBe(false);
    expect(surveyAllowed(sent, after(90))).toBe(true);
  });

  it('allows nothing when the last send time does not parse', () => {
    expect(surveyAllowed('garbage', after(1000))).toBe(false);
  });

  it('keeps a detractor unsurveyed for 90 days after the answer', () => {
    expect(detractorQuietUntil('2026-01-10T12:00:00Z')).toBe('2026-04-10T12:00:00.000Z');
    expect(() => detractorQuietUntil('garbage')).toThrow(RangeError);
  });
});

describe('the survey scale in the email', () => {
  it('has eleven links 0 to 10 under the trimmed base, with the token encoded', () => {
    const links = surveyLinks('https://api.example.com//', 'a+b/c=.d&e');
    expect(links.map((l) => l.score)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(links[7]!.url).toBe('https://api.example.com/nps?token=a%2Bb%2Fc%3D.d%26e&score=7');
    for (const { score, url } of links) {
      const parsed = new URL(url);
      expect(parsed.searchParams.get('token')).toBe('a+b/c=.d&e');
      expect(parsed.searchParams.get('score')).toBe(String(score));
    }
  });

  it('renders the links escaped in HTML, one per line in text, with the end labels', () => {
    const { html, text } = renderSurveyScale(surveyLinks('https://api.example.com', 'tok"<x>'));
    expect(html.match(/<a /g)).toHaveLength(11);
    expect(html).toContain('href="https://api.example.com/nps?token=tok%22%3Cx%3E&amp;score=0"');
    expect(html).not.toMatch(/<x>|"<|tok"/);
    expect(html).toContain('Not at all likely');
    expect(html).toContain('Extremely likely');
    expect(text.split('\n')).toHaveLength(12);
    expect(text).toContain('0 = Not at all likely, 10 = Extremely likely');
    expect(text).toContain('\n10: https://api.example.com/nps?token=tok%22%3Cx%3E&score=10');
  });

  it('escapes whatever links it is given', () => {
    const { html } = renderSurveyScale([{ score: 0, url: '"><script>alert(1)</script>' }]);
    expect(html).not.toContain('<script');
  });
});

describe('the NPS pages', () => {
  const radios = (html: string) => [...html.matchAll(/<input type="radio"[^>]*>/g)].map((m) => m[0]);

  it('shows the scale with the score of the followed link chosen', () => {
    const html = npsConfirmPage({ score: 8, token: 'tok', question: 'How likely are you to recommend us?' });
    const inputs = radios(html);
    expect(inputs).toHaveLength(11);
    expect(inputs.filter((i) => i.includes(' checked'))).toEqual(['<input type="radio" name="score" value="8" required checked>']);
    expect(html).toContain('<form method="post" action="/nps">');
    expect(html).toContain('<input type="hidden" name="token" value="tok">');
    expect(html).toMatch(/<textarea [^>]*name="comment"[^>]*maxlength="2000"/);
    expect(html).toContain('<button type="submit">');
  });

  it('chooses no score when the link carried none or an invalid one', () => {
    for (const score of [undefined, 11, 5.5, NaN]) {
      expect(radios(npsConfirmPage({ score, token: 't', question: 'q' })).some((i) => i.includes('checked'))).toBe(false);
    }
  });

  it('escapes a hostile question, token and post URL, and carries no script', () => {
    const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const html = npsConfirmPage({ score: 3, token: hostile, question: hostile, postUrl: hostile });
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;');
    expect(html).toContain('<legend>&quot;&gt;&lt;script&gt;');
    for (const page of [npsThanksPage(), npsInvalidPage()]) expect(page).not.toMatch(/<script/i);
  });

  it('says a bad link is not valid without naming anyone', () => {
    const html = npsInvalidPage();
    expect(html).toContain('not valid');
    expect(html).not.toMatch(/customer|cus-|@/i);
  });
});

describe('referral codes', () => {
  it('verify to the customer they were signed for, and are short and URL-safe', () => {
    const code = signReferralCode('cus-01hxabc', KEY);
    expect(code).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(encodeURIComponent(code)).toBe(code);
    expect(verifyReferralCode(code, KEY)).toBe('cus-01hxabc');
    expect(signReferralCode('c'.repeat(64), KEY).length).toBeLessThanOrEqual(120);
  });

  it('are rejected when tampered, re-signed with another key, truncated or malformed', () => {
    const code = signReferralCode('cus-1', KEY);
    const [, mac] = code.split('.');
    const flipped = code.slice(0, -3) + (code.at(-3) === 'A' ? 'B' : 'A') + code.slice(-2);
    for (const bad of [`${b64('cus-2')}.${mac}`, flipped, signReferralCode('cus-1', 'other'), code.slice(0, -1), `${code}x`, '', '.', code.replace('.', ''), `${'A'.repeat(200)}.${mac}`]) {
      expect(verifyReferralCode(bad, KEY)).toBeUndefined();
    }
  });

  it('are never issued for ids outside the charset', () => {
    expect(() => signReferralCode('cus 1', KEY)).toThrow(RangeError);
    expect(() => signReferralCode('c'.repeat(65), KEY)).toThrow(RangeError);
  });

  it('are added to the form URL keeping its other parameters and fragment', () => {
    const code = signReferralCode('cus-1', KEY);
    const url = new URL(referralUrl('https://example.com/contact?utm_source=mail&lang=de#form', code));
    expect(url.searchParams.get('utm_source')).toBe('mail');
    expect(url.searchParams.get('lang')).toBe('de');
    expect(url.searchParams.get('ref')).toBe(code);
    expect(url.hash).toBe('#form');
    expect(new URL(referralUrl('https://example.com/contact?ref=old', code)).searchParams.getAll('ref')).toEqual([code]);
  });

  it('count a lead referring their own address as self-referral, whatever the case, spacing or +tag', () => {
    expect(isSelfReferral('Ann@Example.com ', 'ann@example.com')).toBe(true);
    expect(isSelfReferral('ann@example.com', 'ANN+friend@example.com')).toBe(true);
    expect(isSelfReferral('ann@example.com', 'bob@example.com')).toBe(false);
    expect(isSelfReferral('ann@example.com', 'ann@example.org')).toBe(false);
    expect(isSelfReferral('', ' ')).toBe(false);
  });
});
