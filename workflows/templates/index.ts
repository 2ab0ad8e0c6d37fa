/** Every lead-facing template by name; programmes refer to these names (validated at synth). */
import { consentTemplates } from './consent.js';
import { nurtureTemplates } from './nurture.js';
import { retentionTemplates } from './retention.js';
import { salesTemplates } from './sales.js';
import type { LeadTemplate } from './types.js';

export const leadTemplates: Readonly<Record<string, LeadTemplate>> = {
  ...nurtureTemplates,
  ...salesTemplates,
  ...consentTemplates,
  ...retentionTemplates,
};
export type { LeadTemplate } from './types.js';
export { PLACEHOLDER_FIELDS } from './types.js';
export { brand } from './brand.js';
