/** Awareness, interest and consideration emails: teach first, sell later. */
import { brand } from './brand.js';
import type { LeadTemplate } from './types.js';

const signOff = `— ${brand.sender}`;
const hi = 'Hi {{firstName|there}},';

export const nurtureTemplates = {
  'awareness-welcome': {
    subject: `Thanks for getting in touch with ${brand.company}`,
    greeting: hi,
    paragraphs: [
      `We received your request and a real person will read it. This email simply confirms we have your details.`,
      `Over the next few weeks we will share a few short, practical notes on turning sales data into decisions at {{company|your company}} — only if you said yes to hearing from us.`,
    ],
    signOff,
  },
  'awareness-educational-1': {
    subject: 'Three numbers every sales team should watch weekly',
    greeting: hi,
    paragraphs: [
      `Most teams track revenue and little else. The teams that forecast well also watch pipeline coverage, stage conversion and time-in-stage.`,
      `Our short guide shows how to read each one in ten minutes a week, with a template you can copy.`,
    ],
    cta: { label: 'Read the guide', url: `${brand.siteUrl}/guides/weekly-sales-metrics` },
    signOff,
  },
  'awareness-educational-2': {
    subject: 'Why forecasts slip — and the fix that takes a day',
    greeting: hi,
    paragraphs: [
      `Forecasts usually slip for one reason: deals sit in a stage long after anyone last spoke to the buyer.`,
      `Here is how teams like yours flag stale deals automatically and get their forecast back within a few points.`,
    ],
    cta: { label: 'See how it works', url: `${brand.siteUrl}/blog/stale-deals` },
    signOff,
  },
  'interest-case-study-1': {
    subject: 'How a 40-person sales team cut forecast error in half',
    greeting: hi,
    paragraphs: [
      `Northbeam's sales team forecast from spreadsheets and missed by 20% most quarters.`,
      `Six weeks after switching to ${brand.product} they were within 8% — here is what they changed, step by step.`,
    ],
    cta: { label: 'Read the case study', url: `${brand.siteUrl}/customers/northbeam` },
    signOff,
  },
  'interest-case-study-2': {
    subject: 'From weekly reporting marathons to a ten-minute review',
    greeting: hi,
    paragraphs: [
      `Harbor & Finch used to spend every Monday morning building the pipeline report by hand.`,
      `Their operations lead explains how they automated it, and what the team does with the time now.`,
    ],
    cta: { label: 'Read their story', url: `${brand.siteUrl}/customers/harbor-finch` },
    signOff,
  },
  'consideration-comparison-guide': {
    subject: `Comparing sales analytics tools? A fair checklist`,
    greeting: hi,
    paragraphs: [
      `If {{company|your team}} is weighing options, our comparison guide lists the questions worth asking every vendor — including us.`,
      `It covers data sync, forecasting method, permissions and total cost, with a one-page scorecard.`,
    ],
    cta: { label: 'Get the comparison guide', url: `${brand.siteUrl}/guides/comparison` },
    signOff,
  },
  'consideration-roi-calculator': {
    subject: 'What would better forecasting be worth to {{company|you}}?',
    greeting: hi,
    paragraphs: [
      `Our ROI calculator takes five numbers you already know — team size, average deal, win rate, cycle length, reporting hours — and estimates the return.`,
      `It takes about three minutes, and you can share the result with your finance team.`,
    ],
    cta: { label: 'Try the ROI calculator', url: `${brand.siteUrl}/roi` },
    signOff,
  },
} satisfies Record<string, LeadTemplate>;
