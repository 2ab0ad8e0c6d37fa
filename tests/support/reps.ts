/**
 * Rep helpers for the RepOnboarding scenarios: the rep routes with the API key, a rep seeded straight
 * into the table at a chosen point of their certification (a year is too long to wait for, even
 * compressed) with their run started as `npm start` resumes one, and the rep's view over HTTP.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoRepStore } from '../../functions/adapters/dynamodb/rep-store.js';
import { StepFunctionsStarter } from '../../functions/adapters/sfn-starter.js';
import { documentClient } from '../../functions/shared/clients.js';
import type { Rep } from '../../functions/core/model.js';
import { apiClient, type ApiAnswer } from '../../local/api-client.js';
import { adminGet, uniqueEmail, type App } from './app.js';

export const post = (app: App, path: string, body: unknown): Promise<ApiAnswer> => apiClient(app.stack)('POST', path, body);

export async function rep(app: App, repId: string): Promise<any> {
  const res = await adminGet(app, `/reps/${repId}`);
  if (res.status !== 200) throw new Error(`GET /reps/${repId} → ${res.status}`);
  return res.body;
}

/** POST /reps for a new hire; answers the ids and addresses to watch. */
export async function newRep(app: App, name: string, extra: Record<string, unknown> = {}) {
  const email = uniqueEmail(name.toLowerCase());
  const managerEmail = uniqueEmail(`${name.toLowerCase()}-manager`);
  const res = await post(app, '/reps', { email, firstName: name, lastName: 'Trainee', role: 'sdr', managerEmail, ...extra });
  if (res.status !== 201) throw new Error(`POST /reps → ${res.status} ${JSON.stringify(res.body)}`);
  return { repId: res.body.repId as string, email, managerEmail };
}

/**
 * A certified rep whose certification expires `expiresInDays` virtual days from now, on run 1 of
 * RepOnboarding (started here, as the local resume starts the run of a rep kept from before).
 */
export async function seedCertifiedRep(app: App, name: string, expiresInDays: number, overrides: Partial<Rep> = {}) {
  const now = app.stack.clock.now();
  const email = uniqueEmail(name.toLowerCase());
  const managerEmail = uniqueEmail(`${name.toLowerCase()}-manager`);
  const repId = `rep_${name.toLowerCase()}_${email.split('.')[1]!.split('@')[0]}`;
  const seeded: Rep = {
    repId, name: `${name} Certified`, firstName: name, lastName: 'Certified', email, managerEmail,
    status: 'active', role: 'ae', track: 'none', modules: [], timeZone: 'Asia/Tokyo',
    startDate: new Date(now.getTime() - 400 * 86_400_000).toISOString().slice(0, 10),
    certification: { certifiedAt: new Date(now.getTime() - 300 * 86_400_000).toISOString(), expiresAt: new Date(now.getTime() + expiresInDays * 86_400_000).toISOString(), cycle: 1 },
    createdAt: new Date(now.getTime() - 400 * 86_400_000).toISOString(), updatedAt: now.toISOString(),
    run: 1, programmeVersion: 1, version: 1,
    ...overrides,
  };
  await new DynamoRepStore(documentClient(), app.stack.tableName, () => app.stack.clock.now()).create(seeded, []);
  return { repId, email, managerEmail, expiresAt: seeded.certification!.expiresAt };
}

export async function startOnboardingRun(app: App, repId: string, run = 1) {
  const starter = new StepFunctionsStarter(new SFNClient({ endpoint: app.stack.sfnEndpoint, region: 'us-east-1' }), { RepOnboarding: app.stack.stateMachines.RepOnboarding! });
  return starter.startRun('RepOnboarding', repId, { repId, run });
}

/** Names of the RepOnboarding executions of a rep, oldest first. */
export const onboardingExecutions = (app: App, repId: string) =>
  app.stack.executions
    .list('RepOnboarding')
    .filter((e) => e.name.startsWith(`${repId}-r`))
    .sort((a, b) => a.startDate.getTime() - b.startDate.getTime());
