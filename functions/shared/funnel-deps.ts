/** The real-world FunnelDeps the HTTP handlers pass to the core (built once, at module scope). */
import { DynamoRepStore } from '../adapters/dynamodb/rep-store.js';
import { QueuedStarts, StepFunctionsStarter } from '../adapters/sfn-starter.js';
import type { FunnelDeps } from '../core/funnel-runs.js';
import { randomIds } from '../core/ids.js';
import { documentClient, sfnClient } from './clients.js';
import type { Config } from './config.js';
import { eventPublisher } from './event-publisher.js';
import { leadStore } from './lead-store.js';
import { scoringRules } from '../../workflows/scoring.js';

/** Needs the 'table', 'funnel' and 'events' capabilities of the config. */
export function funnelDeps(config: Config): FunnelDeps {
  return {
    store: leadStore(config),
    // Starts are queued in the run outbox (StartRuns starts them); stops happen at once.
    starter: new QueuedStarts(new StepFunctionsStarter(sfnClient(), config.funnelStateMachineArn)),
    publisher: eventPublisher(config),
    clock: config.clock,
    ids: randomIds,
    rules: scoringRules,
    // Records a won lead's owner's first won deal on the rep (ramp).
    reps: new DynamoRepStore(documentClient(), config.tableName, () => config.clock.now()),
  };
}

