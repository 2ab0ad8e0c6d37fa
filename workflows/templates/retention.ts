/**
 * Emails to customers after the purchase: getting started, check-ins, the NPS survey and its
 * follow-ups, renewal, referral thanks and win-back. Templates do not know who the customer's owner
 * is, so none names a person: a reply reaches the customer success team, and the owner writes
 * personally (workflows/templates/owner.ts tells them when).
 */
import { brand } from './brand.js';
import type { LeadTemplate } from './types.js';

const signOff = `— ${brand.sender}`;
const hi = 'Hi {{firstName|there}},';
const referralLink = `{{referralUrl|${brand.siteUrl}/referrals}}`;

export const retentionTemplates = {
  'retention-welcome': {
    subject: `Getting started with ${brand.product}`,
    greeting: hi,
    paragraphs: [
      `Welcome to ${brand.product}: the account for {{company|your team}} is ready.`,
      `Most teams see their first forecast within an hour. Connect your CRM, choose the pipeline you want to forecast, then invite the people who review it with you. The getting-started guide walks through each step.`,
      `If you get stuck, the help centre has short answers to the common questions, and there is a live onboarding session every Tuesday. Or reply to this email: it reaches our customer success team, not a no-reply inbox.`,
    ],
    cta: { label: 'Open the getting-started guide', url: `${brand.siteUrl}/start` },
    signOff,
  },
  'retention-setup-check': {
    subject: `How is your ${brand.product} set-up going?`,
    greeting: hi,
    paragraphs: [
      `A week ago {{company|your team}} started with ${brand.product}, so a quick check: is your CRM connected and is your team in?`,
      `If something is in the way, such as a field mapping that looks wrong, a permission your CRM admin has to grant, or simply finding the time, tell us. Most set-up problems take a 20-minute screen-share to fix.`,
    ],
    cta: { label: 'Book a set-up call', url: `${brand.siteUrl}/book` },
    signOff,
  },
  'retention-first-value': {
    subject: 'A month in: three things to try next',
    greeting: hi,
    paragraphs: [
      `You have had ${brand.product} for a month. By now most teams look at their forecast every week; the teams that get the most from it do three more things.`,
      `They set a stale-deal alert, so deals that have not moved in 14 days show up in the Monday digest before they slip out of the quarter.`,
      `They open the accuracy report, which compares each week's forecast with what actually closed, so they know which number to trust.`,
      `And they share a read-only dashboard with leadership, which means fewer "can you pull the numbers?" messages.`,
      `If ${brand.product} is not paying off for {{company|you}} yet, we would like to know why. Reply and tell us.`,
    ],
    cta: { label: 'See the first-month tips', url: `${brand.siteUrl}/guides/first-month` },
    signOff,
  },
  // The 0–10 score links are appended by the core, so the paragraphs lead into them and there is no cta.
  'retention-nps-survey': {
    subject: `One question: how likely are you to recommend ${brand.product}?`,
    greeting: hi,
    paragraphs: [
      `We have one question, and answering it takes one click: how likely are you to recommend ${brand.product} to a friend or colleague?`,
      `Pick a number below, from 0 (not at all likely) to 10 (extremely likely). On the next page you can tell us why if you like. We read every answer.`,
    ],
    signOff,
  },
  'retention-quarterly': {
    subject: `Your quarterly check-in from ${brand.company}`,
    greeting: hi,
    paragraphs: [
      `Another quarter is done, which makes this a good moment to check that ${brand.product} still fits the way {{company|your team}} sells.`,
      `Has anything changed, such as a new sales process, a new team or a new CRM field you report on? Reply and tell us, and we will suggest how to set ${brand.product} up for it.`,
      `In case you missed them, here is what we shipped this quarter.`,
    ],
    cta: { label: "See what's new", url: `${brand.siteUrl}/changelog` },
    signOff,
  },
  'retention-need-a-hand': {
    subject: `Need a hand with ${brand.product}?`,
    greeting: hi,
    paragraphs: [
      `We noticed that {{company|your team}} has not used ${brand.product} for a while. Usually that means one of three things: set-up stalled, the numbers did not match what you expected, or the person who championed it has moved on.`,
      `Whatever the reason, reply and tell us. We will help you fix it, or help you get the right people back in.`,
    ],
    cta: { label: 'Book a 20-minute call', url: `${brand.siteUrl}/book` },
    signOff,
  },
  'retention-renewal-30': {
    subject: `Your ${brand.product} subscription renews in 30 days`,
    greeting: hi,
    paragraphs: [
      `A heads-up: your {{plan|${brand.product}}} plan renews on {{renewalDate|the date shown in your billing settings}}. You do not need to do anything, because it renews automatically.`,
      `If you want to change plan, add or remove seats, or update your billing details before then, you can do it in your billing settings, or reply and we will do it for you.`,
    ],
    cta: { label: 'Review your plan', url: `${brand.siteUrl}/account/billing` },
    signOff,
  },
  'retention-passive-follow-up': {
    subject: `What would make ${brand.product} a 10?`,
    greeting: hi,
    paragraphs: [
      `Thank you for answering our survey. You told us ${brand.product} is good, and we would like it to be great.`,
      `What one thing would make it a 10 for you? It might be a missing report, an integration, or something that takes more clicks than it should. Reply to this email: your answer goes straight to our product team, and we will let you know if we build it.`,
    ],
    signOff,
  },
  'retention-promoter-thanks': {
    subject: 'Thank you for the great score',
    greeting: hi,
    paragraphs: [
      `Thank you for your answer to our survey. It means a lot to the whole team, and we have passed it on to the people who build ${brand.product}.`,
      `If you know another sales leader who still forecasts from spreadsheets, we would be grateful for an introduction. Send them your personal referral link: it tells us they came from you, so we can thank you properly.`,
    ],
    cta: { label: 'Refer a colleague', url: referralLink },
    signOff,
  },
  'retention-referral-thanks': {
    subject: 'Your referral just became a customer',
    greeting: hi,
    paragraphs: [
      `Good news: someone you referred to ${brand.product} has just become a customer. Thank you! Most of our customers find us through introductions like yours.`,
      `We will make sure they get a good start. If anyone else comes to mind, your referral link still works.`,
    ],
    cta: { label: 'Refer someone else', url: referralLink },
    signOff,
  },
  'retention-winback-1': {
    subject: "We're sorry to see you go",
    greeting: hi,
    paragraphs: [
      `Your ${brand.product} subscription for {{company|your team}} has ended. Thank you for the time you spent with us.`,
      `Would you tell us why you left? One line is enough, and it goes straight to the people who decide what we build next.`,
      `If price was the reason, a smaller plan may fit better. If you only need more time, reply to this email and we will reactivate your account.`,
    ],
    cta: { label: 'Compare plans', url: `${brand.siteUrl}/pricing` },
    signOff,
  },
  'retention-winback-2': {
    subject: `What has changed at ${brand.product} since you left`,
    greeting: hi,
    paragraphs: [
      `Since {{company|your team}} left, we have shipped the changes customers asked for most: two-way sync with Salesforce and HubSpot, forecast categories you can rename, and a weekly digest that fits on one screen.`,
      `If one of those was the missing piece, a 20-minute call is the quickest way to see it with your own pipeline. Or reply to this email and we will reactivate your account.`,
    ],
    cta: { label: 'Book a 20-minute demo', url: `${brand.siteUrl}/book` },
    signOff,
  },
  'retention-winback-3': {
    subject: 'Our last note about your account',
    greeting: hi,
    paragraphs: [
      `This is the last email we will send about your ${brand.product} account.`,
      `If you ever want to come back, reply to this email and we will reactivate it. Until then, good luck with the quarter.`,
    ],
    cta: { label: 'See plans and pricing', url: `${brand.siteUrl}/pricing` },
    signOff,
  },
} satisfies Record<string, LeadTemplate>;
