/** LeadFunnel task: the one send chokepoint. Event = `{leadId, run, stage, stepId, template, category}`. */
import { z } from 'zod';
import { secretReader } from '../adapters/secrets.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import { randomIds } from '../core/ids.js';
import { STAGES } from '../core/model.js';
import { sendLeadEmail } from '../core/send.js';
import { secretsClient, sesClient } from '../shared/clients.js';
import { loadConfig } from '../shared/config.js';
import { leadStore } from '../shared/lead-store.js';
import { logger, taskHandler } from '../shared/logger.js';
import { brand, leadTemplates } from '../../workflows/templates/index.js';

const config = loadConfig('table', 'mail', 'signing');
const leads = leadStore(config);
const mailer = new SesMailer(sesClient(), { from: config.senderAddress, configurationSetName: config.sesConfigurationSet });
const readSecret = secretReader(secretsClient());

const payload = z.object({
  leadId: z.string().min(1),
  run: z.number().int().nonnegative(),
  stage: z.enum([...STAGES, 'recycle']),
  stepId: z.string().min(1),
  template: z.string().min(1),
  category: z.enum(['marketing', 'transactional', 'recycle']),
});

export const handler = taskHandler(async (event) => {
  const req = payload.parse(event);
  const settings = {
    consentPolicy: config.consentPolicy,
    frequencyCap: config.frequencyCap,
    publicBaseUrl: config.publicBaseUrl,
    postalAddress: config.postalAddress,
    companyName: brand.company,
    signingKey: await readSecret(config.signingSecretId),
  };
  const result = await sendLeadEmail({ leads, mailer, clock: config.clock, ids: randomIds, templates: leadTemplates, settings }, req);
  logger.info('send step finished', { ...req, ...result });
  return result;
});
