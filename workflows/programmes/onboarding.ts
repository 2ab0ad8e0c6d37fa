/**
 * The RepOnboarding programme: a learning path per role, the recertification path, reminder and
 * certification settings. Plain data on purpose (the onboarding Lambdas import it and must not carry
 * a schema library for it); validated once, at synth, by onboarding-schema.ts — an unknown
 * prerequisite, a quiz without a pass mark or a duplicate module id fails `cdk synth` with its path.
 */
import type { LearningPath, OnboardingProgramme, TrainingModule } from '../../functions/core/learning.js';

const LMS = 'https://learn.brightline.example';

const reading = (id: string, title: string, dueDays: number, prerequisites: string[] = []): TrainingModule =>
  ({ id, title, kind: 'reading', url: `${LMS}/${id}`, dueDays, prerequisites, managerReview: false });
const video = (id: string, title: string, dueDays: number, prerequisites: string[] = []): TrainingModule =>
  ({ id, title, kind: 'video', url: `${LMS}/${id}`, dueDays, prerequisites, managerReview: false });
const quiz = (id: string, title: string, dueDays: number, prerequisites: string[], passMark = 80, maxAttempts = 3): TrainingModule =>
  ({ id, title, kind: 'quiz', url: `${LMS}/${id}`, dueDays, prerequisites, passMark, maxAttempts, managerReview: false });
const reviewed = (kind: 'roleplay' | 'shadowing', id: string, title: string, dueDays: number, prerequisites: string[]): TrainingModule =>
  ({ id, title, kind, url: `${LMS}/${id}`, dueDays, prerequisites, managerReview: true });

/** Everyone starts here: the product, the buyer, the funnel and how leads reach a rep. */
const foundations: TrainingModule[] = [
  reading('company-and-product', 'Brightline in 30 minutes: product, pricing and the customers we serve', 2),
  video('ideal-customer-profile', 'Our ideal customer profile and buying committee', 3, ['company-and-product']),
  reading('sales-flow-playbook', 'The Sales Flow playbook: stages, lead scores and the 24-hour contact SLA', 4, ['company-and-product']),
  quiz('product-certification-quiz', 'Product and playbook quiz', 7, ['ideal-customer-profile', 'sales-flow-playbook'], 80, 3),
];

const sdr: LearningPath = {
  title: 'SDR onboarding: from first touch to a qualified meeting',
  modules: [
    ...foundations,
    video('cold-outreach', 'Writing first-touch emails that get replies', 8, ['product-certification-quiz']),
    reading('discovery-questions', 'Qualification with BANT and the five discovery questions', 9, ['product-certification-quiz']),
    quiz('qualification-quiz', 'Qualification quiz', 11, ['discovery-questions'], 80, 3),
    reviewed('shadowing', 'shadow-discovery-calls', 'Shadow three discovery calls with a senior SDR', 12, ['discovery-questions']),
    reviewed('roleplay', 'cold-call-roleplay', 'Cold-call role-play with your manager', 14, ['cold-outreach', 'qualification-quiz']),
  ],
};

const ae: LearningPath = {
  title: 'AE onboarding: running the deal from demo to signature',
  modules: [
    ...foundations,
    video('demo-storyline', 'The Brightline demo storyline (45 min)', 8, ['product-certification-quiz']),
    reading('mutual-action-plans', 'Mutual action plans and multi-threading a deal', 10, ['product-certification-quiz']),
    quiz('pricing-and-negotiation-quiz', 'Pricing, discounting and negotiation quiz', 12, ['mutual-action-plans'], 85, 3),
    reviewed('shadowing', 'shadow-demos', 'Shadow two live demos with a senior AE', 13, ['demo-storyline']),
    reviewed('roleplay', 'demo-roleplay', 'Give the demo to your manager', 15, ['shadow-demos', 'pricing-and-negotiation-quiz']),
  ],
};

const csm: LearningPath = {
  title: 'CSM onboarding: onboarding customers, health and renewals',
  modules: [
    ...foundations,
    reading('customer-onboarding-playbook', 'The 30-60-90 day customer onboarding playbook', 8, ['product-certification-quiz']),
    video('health-scores-and-nps', 'Reading health scores and NPS, and what to do about detractors', 10, ['customer-onboarding-playbook']),
    quiz('renewal-quiz', 'Renewals and expansion quiz', 12, ['health-scores-and-nps'], 80, 3),
    reviewed('shadowing', 'shadow-business-review', 'Shadow a quarterly business review', 13, ['customer-onboarding-playbook']),
    reviewed('roleplay', 'escalation-roleplay', 'Handle an escalated customer: role-play with your manager', 15, ['renewal-quiz', 'shadow-business-review']),
  ],
};

export const recertificationPath: LearningPath = {
  title: 'Annual recertification: what changed this year',
  modules: [
    video('whats-new', 'What changed in the product and pricing this year', 10),
    reading('playbook-refresh', 'Playbook refresh: SLA, hand-off and data-protection rules', 14, ['whats-new']),
    quiz('recertification-quiz', 'Recertification quiz', 21, ['playbook-refresh'], 80, 3),
  ],
};

export const onboardingProgramme: OnboardingProgramme = {
  paths: { sdr, ae, csm },
  recertification: recertificationPath,
  reminders: { daysBefore: 2, escalateAfterOverdueReminders: 3, reopenDueDays: 5 },
  businessHours: { startHour: 9, endHour: 17, weekdays: [1, 2, 3, 4, 5] },
  defaultTimeZone: 'UTC',
  certification: { validDays: 365, reminderDaysBefore: [30, 7] },
};
