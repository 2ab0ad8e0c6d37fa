/**
 * Every workflow of the app with the programme it is generated from, by its state machine's logical
 * id: what the lock file versions, what `npm run programmes:publish` records and what the README
 * diagrams are drawn for. A new workflow adds one line here.
 */
import { funnelProgramme } from './programmes/funnel.js';

export const WORKFLOW_PROGRAMMES: Record<string, unknown> = {
  LeadFunnel: funnelProgramme,
};
