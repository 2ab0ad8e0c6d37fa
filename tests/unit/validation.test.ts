import { describe, expect, it } from 'vitest';
import { decimalParam, emailAddress, jsonValueProblems, plainText } from '../../functions/shared/validation.js';
import { allowedRedirect } from '../../functions/shared/html.js';

describe('plain text', () => {
  it('refuses NUL, other controls, bidi overrides and isolates, and lone surrogates', () => {
    for (const bad of ['a\u0000b', 'a\u0007', 'x\u202Ey', 'x\u2066y', 'a\ud800', 'a\r\nb', 'a\u0085b']) expect(plainText(100).safeParse(bad).success).toBe(false);
    expect(plainText(100).safeParse('Zoë Ñúñez 😀').success).toBe(true);
  });

  it('allows tabs and line breaks only where asked for', () => {
    expect(plainText(100, { multiline: true }).safeParse('line 1\r\nline 2\tend').success).toBe(true);
    expect(plainText(100, { multiline: true }).safeParse('line 1\u0000').success).toBe(false);
  });
});

describe('messages', () => {
  it('are zod\'s English ones, word for word, though the bundles carry none of its translations', () => {
    expect(plainText(3).safeParse('abcd').error?.issues.map((i) => i.message)).toEqual(['Too big: expected string to have <=3 characters']);
    expect(decimalParam(1, 100).safeParse('101').error?.issues.map((i) => i.message)).toEqual(['Too big: expected number to be <=100']);
    expect(emailAddress().safeParse(42).error?.issues.map((i) => i.message)).toEqual(['Invalid input: expected string, received number']);
  });
});

describe('email addresses', () => {
  it('allow 64 characters before the @ and refuse 65', () => {
    expect(emailAddress().safeParse(`${'a'.repeat(64)}@example.com`).success).toBe(true);
    const res = emailAddress().safeParse(`${'a'.repeat(65)}@example.com`);
    expect(res.success).toBe(false);
  });

  it('are trimmed and lower-cased', () => {
    expect(emailAddress().parse('  Ann@Example.COM ')).toBe('ann@example.com');
  });
});

describe('decimal query parameters', () => {
  it('read only decimal digits', () => {
    expect(decimalParam(1, 100).parse('16')).toBe(16);
    for (const bad of ['0x10', '1e1', '16.0', '-1', '', ' 16', '0', '101']) expect(decimalParam(1, 100).safeParse(bad).success).toBe(false);
  });
});

describe('free-form JSON that DynamoDB must store', () => {
  it('accepts ordinary values', () => {
    expect(jsonValueProblems({ path: '/pricing', n: 3.25, ok: true, none: null, list: [1, 'two'], nested: { a: { b: 1 } } })).toEqual([]);
  });

  it('names the path of numbers it cannot hold exactly', () => {
    expect(jsonValueProblems({ big: 2 ** 53 + 2 })).toEqual([{ path: ['big'], message: expect.stringMatching(/between/) }]);
    expect(jsonValueProblems({ a: [Infinity] })).toEqual([{ path: ['a', 0], message: 'must be a finite number' }]);
    expect(jsonValueProblems({ tiny: 1e-200 })).toEqual([{ path: ['tiny'], message: expect.stringMatching(/zero/) }]);
    expect(jsonValueProblems({ max: Number.MAX_SAFE_INTEGER, zero: 0 })).toEqual([]);
  });

  it('refuses empty keys and nesting deeper than its limit', () => {
    expect(jsonValueProblems({ a: { '': 1 } })).toEqual([{ path: ['a'], message: 'has an empty key' }]);
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { n: deep };
    expect(jsonValueProblems(deep)).toHaveLength(1);
    expect(jsonValueProblems(deep)[0]!.message).toMatch(/deeper than/);
  });
});

describe('redirect targets', () => {
  const origins = ['https://www.example.com'];
  it('keep same-origin paths, percent-encoded so they are always a valid Location', () => {
    expect(allowedRedirect('/thank-you', origins)).toBe('/thank-you');
    expect(allowedRedirect('/thank-you€?a=ü#x', origins)).toBe('/thank-you%E2%82%AC?a=%C3%BC#x');
    expect(allowedRedirect('/thanks\r\n', origins)).toBe('/thanks');
  });

  it('refuse every spelling of another host, and other schemes', () => {
    for (const target of ['/\t/evil.com', '//evil.com', '/\\evil.com', '\\\\evil.com', ' //evil.com', 'https://evil.com', 'javascript:alert(1)', 'https://www.example.com.evil.com', 'https://same-origin.invalid/x'])
      expect(allowedRedirect(target, origins)).toBeUndefined();
  });

  it('allow a configured form origin', () => {
    expect(allowedRedirect('https://www.example.com/thanks?x=1', origins)).toBe('https://www.example.com/thanks?x=1');
  });
});
