/**
 * Email templates are data: a subject, paragraphs and an optional call to action, with
 * `{{field}}` / `{{field|fallback}}` placeholders filled from the lead's profile at send time
 * (functions/core/render.ts). Keeping them as data (not free-form HTML) lets the renderer escape
 * every value and add the legally required footer to every lead-facing email in one place.
 */

/** Lead (and customer) fields a placeholder may name. */
export const PLACEHOLDER_FIELDS = [
  'firstName',
  'lastName',
  'company',
  'jobTitle',
  'email',
  'source',
  'utm_campaign',
  /** Only in the double opt-in confirmation: the signed link that confirms consent. */
  'confirmUrl',
  /** Customers only (retention): the display name of their plan, e.g. "Growth". */
  'plan',
  /** Customers only: their next renewal as a display date the core formats, e.g. "3 March 2027". */
  'renewalDate',
  /** Customers only (promoter and referral thank-yous): their personal referral link. */
  'referralUrl',
  /** Only in the NPS survey: the signed link to the survey (the core appends the 0–10 score links itself). */
  'surveyUrl',
] as const;
export type PlaceholderField = (typeof PLACEHOLDER_FIELDS)[number];

/** A lead-facing template: the core owns the shape (functions/core/templates.ts), this folder the words. */
export type { EmailTemplate as LeadTemplate } from '../../functions/core/templates.js';
