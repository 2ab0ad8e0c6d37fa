/** Decision, purchase and the long-term (recycle) emails. */
import { brand } from './brand.js';
import type { LeadTemplate } from './types.js';

const signOff = `— ${brand.sender}`;
const hi = 'Hi {{firstName|there}},';

export const salesTemplates = {
  'decision-proposal': {
    subject: 'A proposal for {{company|your team}}',
    greeting: hi,
    paragraphs: [
      `Based on what you have shared with us, we have put together a proposal: the plan we would recommend, the rollout timeline and the price.`,
      `Your account executive will walk you through it and answer any questions.`,
    ],
    cta: { label: 'View your proposal', url: `${brand.siteUrl}/proposal` },
    signOff,
  },
  'decision-follow-up-1': {
    subject: 'Any questions about the proposal?',
    greeting: hi,
    paragraphs: [
      `Just checking whether the proposal raised any questions — about pricing, security, or how the rollout would work for {{company|your team}}.`,
      `Reply to this email and we will get back to you within a working day.`,
    ],
    signOff,
  },
  'decision-follow-up-2': {
    subject: 'Should we hold your onboarding slot?',
    greeting: hi,
    paragraphs: [
      `We have an onboarding slot reserved for {{company|your team}} next month. If the timing does not work, no problem — just let us know and we will release it.`,
    ],
    cta: { label: 'Book a call', url: `${brand.siteUrl}/book` },
    signOff,
  },
  'purchase-thank-you': {
    subject: `Welcome to ${brand.product}, {{firstName|and thank you}}`,
    greeting: hi,
    paragraphs: [
      `Thank you for choosing ${brand.product}. Your order is confirmed and your onboarding specialist will be in touch within one working day.`,
      `In the meantime, the getting-started guide shows how to connect your CRM in a few minutes.`,
    ],
    cta: { label: 'Get started', url: `${brand.siteUrl}/start` },
    signOff,
  },
  'recycle-monthly-1': {
    subject: `What's new at ${brand.company} this month`,
    greeting: hi,
    paragraphs: [
      `A quick monthly note: this month we published a guide to pipeline reviews that people actually look forward to.`,
    ],
    cta: { label: 'Read it', url: `${brand.siteUrl}/blog/pipeline-reviews` },
    signOff,
  },
  'recycle-monthly-2': {
    subject: 'Benchmarks: how does your win rate compare?',
    greeting: hi,
    paragraphs: [
      `We looked at anonymised data from 300 B2B sales teams. The median win rate was 21% — and the top quarter shared three habits.`,
    ],
    cta: { label: 'See the benchmarks', url: `${brand.siteUrl}/benchmarks` },
    signOff,
  },
  'recycle-monthly-3': {
    subject: 'A template for your next quarterly plan',
    greeting: hi,
    paragraphs: [
      `Planning season is coming. Here is the one-page quarterly sales plan template our own team uses.`,
    ],
    cta: { label: 'Download the template', url: `${brand.siteUrl}/templates/quarterly-plan` },
    signOff,
  },
  'recycle-monthly-4': {
    subject: 'Still interested in better sales forecasting?',
    greeting: hi,
    paragraphs: [
      `We have not heard from you in a while, so this will be our last monthly note unless you tell us otherwise.`,
      `If {{company|your team}} is ready to look again, we are a reply away.`,
    ],
    signOff,
  },
} satisfies Record<string, LeadTemplate>;
