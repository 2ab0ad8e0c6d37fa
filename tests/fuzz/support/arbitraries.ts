/**
 * What the internet sends: generators of valid-ish and hostile values for the fuzz suites.
 * Strings with NUL, bidi overrides, lone surrogates, CR/LF and percent-encoding garbage; numbers
 * JavaScript or DynamoDB cannot hold (written as raw JSON text, e.g. 1e400 and 2**60); deep nesting
 * and empty keys; very long strings.
 */
import fc from 'fast-check';

/** Replaced by a fresh 8-character token each time a case is sent (so a replayed case is still new). */
export const UNIQ = '~UNIQ~~~';

/** A JSON number written exactly as given (`1e400`, `1152921504606846976`): JSON.stringify cannot. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text from a value that may hold RawJson leaves. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const CONTROL = ['\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0085', '\u009b'];
export const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
export const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'];
export const LINE_BREAKS = ['\r', '\n', '\r\n', '\u2028', '\u2029'];
export const PERCENT_GARBAGE = ['%E0%A4%A', '%', '%%', '%0', '%ZZ', '%00', '%0D%0A', '%E2%82%AC', '%C0%AF', '%ED%A0%80', '%FF', '%2F', '%252F', '%u202E'];
const ODD = ['', ' ', '\t', '\ufeff', '\u200b', '\u00a0', 'é', 'İ', 'ß', '💥', '👩‍👩‍👧', '"', "'", '\\', '<script>', '{{x}}', '${x}', '../', '/', '?', '#', '&', '=', '+', ';', ',', 'null', 'undefined', '__proto__', 'constructor'];

/** Plain, printable text a person could have typed (accepted by any text field of the right length). */
export const plainText = (maxLength = 30) =>
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-\'éüßøå中文'.split('')), minLength: 1, maxLength }).filter((s) => s.trim().length > 0);

/** One hostile piece: control, bidi, surrogate, line break, percent garbage or an odd character. */
export const hostilePiece = fc.oneof(
  fc.constantFrom(...CONTROL),
  fc.constantFrom(...BIDI),
  fc.constantFrom(...LONE_SURROGATES),
  fc.constantFrom(...LINE_BREAKS),
  fc.constantFrom(...PERCENT_GARBAGE),
  fc.constantFrom(...ODD),
);

/** Any string the internet may send: mostly short, some binary, some of hostile pieces, a few very long. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.array(fc.oneof(hostilePiece, plainText(6)), { minLength: 1, maxLength: 6 }).map((a) => a.join('')), weight: 4 },
  { arbitrary: fc.tuple(fc.constantFrom('x', 'é', '💥', '\u202e', '%'), fc.integer({ min: 100, max: 20_000 })).map(([c, n]) => c.repeat(n)), weight: 1 },
);

/** Characters that must never be stored in a single-line / multi-line text field. */
export const FORBIDDEN_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
export const FORBIDDEN_MULTI_LINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
export const isPlain = (s: string, multiline = false) => !(multiline ? FORBIDDEN_MULTI_LINE : FORBIDDEN_SINGLE_LINE).test(s);

/** Numbers as raw JSON text: beyond 2^53, beyond double range, tiny, negative zero, long decimals. */
export const rawNumber = fc.constantFrom(
  '1e400',
  '-1e400',
  '1e-400',
  '1152921504606846976', // 2**60
  '9007199254740993', // 2**53 + 1
  '-9223372036854775808',
  '123456789012345678901234567890123456789012',
  '1e126',
  '1e-130',
  '4.9e-324',
  '-0',
  '0.1',
  '1E5',
  '17',
);

/** Free-form JSON values: ordinary ones, hostile strings and raw numbers, deep nesting, empty keys. */
export const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    rawNumber.map((t) => new RawJson(t)),
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constant(''), hostileString, plainText(8)), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A value nested `depth` levels deep (objects or arrays). */
export const nested = (depth: number, asArray: boolean, leaf: unknown = 1): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { d: v };
  return v;
};
export const deepValue = fc.tuple(fc.integer({ min: 20, max: 200 }), fc.boolean()).map(([d, a]) => nested(d, a));

/** Wrong JSON types for a field that wants a string. */
export const notAString = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  rawNumber.map((t) => new RawJson(t)),
  fc.constant([]),
  fc.constant({}),
  fc.constant(['a', 'b']),
  fc.constant({ $ne: null }),
);

/** Bodies that are not the JSON object a route wants. */
export const brokenJsonText = fc.oneof(
  fc.constantFrom('{', '{"email":', '{"a":1,}', "{'a':1}", 'undefined', 'NaN', '[]', 'null', '"x"', '1e400', '0', 'true', '{"__proto__":{"x":1}}', '\u0000', '\ufeff{}', '{"a":1}{"b":2}'),
  fc.string({ maxLength: 30 }),
  fc.integer({ min: 33, max: 3000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 33, max: 3000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
);

export const contentTypes = {
  json: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json'),
  form: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8'),
  wrong: fc.constantFrom('text/plain', 'text/html', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'application/jsonx', 'json', 'application/', ';'),
};

/** Percent-encodes for a URL, leaving nothing raw but unreserved characters. */
export const enc = (s: string) => encodeURIComponent(s.replace(/\p{Cs}/gu, '\ufffd'));

/** A path segment or query value: properly encoded text, or raw percent garbage the way attackers send it. */
export const urlPart = fc.oneof(
  { arbitrary: hostileString.map(enc), weight: 3 },
  { arbitrary: fc.constantFrom(...PERCENT_GARBAGE), weight: 2 },
  { arbitrary: fc.array(fc.oneof(fc.constantFrom(...PERCENT_GARBAGE), plainText(4).map(enc)), { minLength: 1, maxLength: 4 }).map((a) => a.join('')), weight: 2 },
);

/** Flips one character of a string (for forged tokens and cursors). */
export const flipAt = (s: string, i: number) => {
  if (!s) return 'A';
  const at = i % s.length;
  const c = s[at]!;
  return s.slice(0, at) + (c === 'A' ? 'B' : 'A') + s.slice(at + 1);
};
