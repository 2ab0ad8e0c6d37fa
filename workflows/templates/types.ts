/**
 * Email templates are data: a subject, paragraphs and an optional call to action, with
 * `{{field}}` / `{{field|fallback}}` placeholders filled from the lead's profile at send time
 * (functions/core/render.ts). Keeping them as data (not free-form HTML) lets the renderer escape
 * every value and add the legally required footer to every lead-facing email in one place.
 */

/** Lead fields a placeholder may name. */
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
] as const;
export type PlaceholderField = (typeof PLACEHOLDER_FIELDS)[number];

/** A lead-facing template: the core owns the shape (functions/core/templates.ts), this folder the words. */
export type { EmailTemplate as LeadTemplate } from '../../functions/core/templates.js';
