/** The double opt-in confirmation: the second step of a marketing opt-in given on a public form. */
import { brand } from './brand.js';
import type { LeadTemplate } from './types.js';

export const consentTemplates = {
  'consent-confirm': {
    subject: `Please confirm: emails from ${brand.company}`,
    greeting: 'Hi {{firstName|there}},',
    paragraphs: [
      `Someone — we hope you — asked on our website to receive ${brand.company}'s emails about sales analytics at this address.`,
      `Please confirm with the button below. If it was not you, ignore this email: without your confirmation we send you no marketing email.`,
    ],
    cta: { label: 'Yes, send me your emails', url: '{{confirmUrl}}' },
    signOff: `— ${brand.sender}`,
  },
} satisfies Record<string, LeadTemplate>;
