/** In-memory stand-ins for EventBridge (PutEvents) and Secrets Manager (GetSecretValue). */
import { randomUUID } from 'node:crypto';
import { SfnError } from './sfn/executions.js';

export interface StoredEvent {
  EventId: string;
  Source?: string;
  DetailType?: string;
  Detail?: unknown;
  EventBusName?: string;
  Resources?: string[];
  Time: string;
}

export class EventStore {
  readonly entries: StoredEvent[] = [];

  putEvents(body: { Entries?: Array<Record<string, any>> }) {
    const results = (body.Entries ?? []).map((entry) => {
      const EventId = randomUUID();
      let detail: unknown = entry.Detail;
      try {
        detail = JSON.parse(String(entry.Detail));
      } catch {
        // keep the raw string: EventBridge would reject it, but a test wants to see what was sent
      }
      this.entries.push({
        EventId,
        Source: entry.Source,
        DetailType: entry.DetailType,
        Detail: detail,
        EventBusName: entry.EventBusName,
        Resources: entry.Resources,
        Time: entry.Time ? new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time).toISOString() : new Date().toISOString(),
      });
      return { EventId };
    });
    return { FailedEntryCount: 0, Entries: results };
  }
}

export interface LocalSecret {
  arn: string;
  name: string;
  value: string;
}

export class SecretStore {
  constructor(private readonly secrets: LocalSecret[]) {}

  getSecretValue(body: { SecretId?: string }) {
    const id = String(body.SecretId ?? '');
    const secret = this.secrets.find((s) => s.arn === id || s.name === id || id.startsWith(`${s.arn}-`));
    if (!secret) throw new SfnError('ResourceNotFoundException', `Secrets Manager can't find the specified secret: ${id}`);
    return {
      ARN: secret.arn,
      Name: secret.name,
      SecretString: secret.value,
      VersionId: 'local-version',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 0,
    };
  }
}
