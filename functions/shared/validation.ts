/**
 * The field rules every route shares. Public routes face the internet: a value that would be stored,
 * copied into an email or used in a key must be plain text a person could have typed, and anything
 * DynamoDB cannot hold (numbers beyond its precision, empty attribute names, deep nesting) is refused
 * here, with the path of the value, instead of failing as a 500 deep in an adapter.
 */
import * as z from './schema.js';

import { plainTextProblem } from '../core/text.js';

export { plainTextProblem };

const refinePlain = (multiline: boolean) => (value: string, ctx: z.RefinementCtx<string>) => {
  const problem = plainTextProblem(value, multiline);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

/** A trimmed string of plain text, at most `max` characters; `multiline` allows tabs and line breaks. */
export const plainText = (max: number, options: { multiline?: boolean } = {}) =>
  z.string().check(z.trim(), z.maxLength(max), z.superRefine(refinePlain(options.multiline ?? false)));

const LOCAL_PART_MAX = 64; // RFC 5321 §4.5.3.1.1
const DOMAIN_MAX = 253;

/** An email address as RFC 5321 limits it (254 in all, 64 before the @), trimmed and lower-cased. */
export const emailAddress = () =>
  z
    .pipe(
      z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254, 'must be at most 254 characters'), z.superRefine(refinePlain(false))),
      z.email('must be a valid email address'),
    )
    .check(
      z.refine((email) => email.slice(0, email.lastIndexOf('@')).length <= LOCAL_PART_MAX, `the part before @ must be at most ${LOCAL_PART_MAX} characters`),
      z.refine((email) => email.slice(email.lastIndexOf('@') + 1).length <= DOMAIN_MAX, `the domain must be at most ${DOMAIN_MAX} characters`),
    );

/** Ids we issue (leads, customers) and callers' own ids (event ids): safe in keys and logs. */
export const identifier = (max: number) => z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:@+-]*$/, 'must be letters, digits and _.:@+- only'), z.maxLength(max));

/** A decimal count in a query string: "16", not "0x10", "1e1" or " 16". */
export const decimalParam = (min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d{1,6}$/, 'must be a whole number written in decimal digits')), z.transform(Number)),
    z.number().check(z.int(), z.gte(min), z.lte(max)),
  );

/** Limits of free-form JSON (event properties). DynamoDB allows 32 levels; our items nest it 3 deep. */
export const JSON_LIMITS = { depth: 8, keys: 50, arrayItems: 100, keyLength: 100, stringLength: 2000 } as const;
/** DynamoDB numbers hold 38 digits between 1e-130 and 1e126; JavaScript holds integers exactly up to 2^53. */
const SMALLEST = 1e-130;

/** Every problem of a free-form JSON value, with its path, or [] when DynamoDB can store it as it is. */
export function jsonValueProblems(value: unknown, path: (string | number)[] = [], depth = 0): { path: (string | number)[]; message: string }[] {
  const at = (message: string) => [{ path, message }];
  if (value === null || typeof value === 'boolean') return [];
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return at('must be a finite number');
    if (Math.abs(value) > Number.MAX_SAFE_INTEGER) return at(`must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
    if (value !== 0 && Math.abs(value) < SMALLEST) return at('is too close to zero to be stored');
    return [];
  }
  if (typeof value === 'string') {
    if (value.length > JSON_LIMITS.stringLength) return at(`must be at most ${JSON_LIMITS.stringLength} characters`);
    const problem = plainTextProblem(value, true);
    return problem ? at(problem) : [];
  }
  if (depth >= JSON_LIMITS.depth) return at(`nests deeper than ${JSON_LIMITS.depth} levels`);
  if (Array.isArray(value)) {
    if (value.length > JSON_LIMITS.arrayItems) return at(`must have at most ${JSON_LIMITS.arrayItems} items`);
    return value.flatMap((item, i) => jsonValueProblems(item, [...path, i], depth + 1));
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > JSON_LIMITS.keys) return at(`must have at most ${JSON_LIMITS.keys} keys`);
    return entries.flatMap(([key, item]) => {
      if (key.length === 0) return [{ path, message: 'has an empty key' }];
      if (key.length > JSON_LIMITS.keyLength) return [{ path, message: `has a key longer than ${JSON_LIMITS.keyLength} characters` }];
      const problem = plainTextProblem(key);
      if (problem) return [{ path, message: `has a key that ${problem}` }];
      return jsonValueProblems(item, [...path, key], depth + 1);
    });
  }
  return at('is not a JSON value');
}

/** A JSON object of free-form properties that DynamoDB can store as it is. */
export const jsonProperties = () =>
  z.record(z.string(), z.unknown()).check(
    z.superRefine((value, ctx) => {
      for (const problem of jsonValueProblems(value)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    }),
  );

/** A person's profile fields as POST /leads and POST /customers take them (plain text, each with its limit). */
export function personFields() {
  const text = (max: number) => z.optional(plainText(max));
  return { firstName: text(100), lastName: text(100), company: text(200), jobTitle: text(200), phone: text(50) };
}
