/**
 * Execution history in the shape of GetExecutionHistory: the library's event log (states entered
 * and exited, execution start/end) merged with the task events the local Task handlers record
 * (scheduled/started/succeeded/failed per attempt, as AWS shows retries).
 */
import type { Definition } from './definition.js';

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

const json = (v: unknown) => JSON.stringify(v ?? null);

function stateTypes(def: Definition, into: Record<string, string> = {}): Record<string, string> {
  for (const [name, state] of Object.entries(def.States)) {
    into[name] = state.Type;
    for (const branch of state.Branches ?? []) stateTypes(branch, into);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) stateTypes(processor, into);
  }
  return into;
}

export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly types: Record<string, string>;

  constructor(definition: Definition) {
    this.types = stateTypes(definition);
  }

  private push(type: string, details: Record<string, unknown> = {}, at = Date.now()): void {
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId: id - 1, timestamp: new Date(at), type, ...details });
  }

  taskStarted(state: string, functionName: string, payload: unknown): void {
    const resource = { resourceType: 'lambda', resource: 'invoke' };
    this.push('TaskScheduled', { taskScheduledEventDetails: { ...resource, region: 'us-east-1', parameters: json({ FunctionName: functionName, Payload: payload }) }, stateName: state });
    this.push('TaskStarted', { taskStartedEventDetails: resource, stateName: state });
  }

  taskSucceeded(state: string, output: unknown): void {
    this.push('TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: json(output) }, stateName: state });
  }

  taskFailed(state: string, error: string, cause: string): void {
    this.push('TaskFailed', { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error, cause }, stateName: state });
  }

  /** Reads the library's async event log until the execution ends. */
  async consume(log: AsyncGenerator<any>): Promise<void> {
    for await (const e of log) {
      const at = e.timestamp as number;
      switch (e.type) {
        case 'ExecutionStarted':
          this.push('ExecutionStarted', { executionStartedEventDetails: { input: json(e.input) } }, at);
          break;
        case 'ExecutionSucceeded':
          this.push('ExecutionSucceeded', { executionSucceededEventDetails: { output: json(e.output) } }, at);
          break;
        case 'ExecutionFailed':
          this.push('ExecutionFailed', { executionFailedEventDetails: { error: e.Error, cause: String(e.Cause instanceof Error ? e.Cause.message : e.Cause ?? '') } }, at);
          break;
        case 'ExecutionAborted':
          this.push('ExecutionAborted', { executionAbortedEventDetails: {} }, at);
          break;
        case 'ExecutionTimeout':
          this.push('ExecutionTimedOut', { executionTimedOutEventDetails: {} }, at);
          break;
        case 'StateEntered':
          this.push(`${this.types[e.state.name] ?? e.state.type}StateEntered`, { stateEnteredEventDetails: { name: e.state.name, input: json(e.state.input) } }, at);
          break;
        case 'StateExited':
          this.push(`${this.types[e.state.name] ?? e.state.type}StateExited`, { stateExitedEventDetails: { name: e.state.name, output: json(e.state.output) } }, at);
          break;
        case 'StateFailed':
          // Task failures are already recorded per attempt by the task handler; a Fail state is the execution's failure.
          break;
        case 'StateRetried':
        case 'StateCaught':
          // AWS has no such events: a retry shows as the next TaskScheduled, a catch as the next state entered.
          break;
        default:
          this.push(e.type, {}, at);
      }
    }
  }
}
