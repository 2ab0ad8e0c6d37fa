/** One Powertools logger per process; its level comes from LOG_LEVEL (Powertools reads it). */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

export const logger = new Logger({ serviceName: 'sales-flow' });

/**
 * Wraps a Step Functions task handler so its log lines carry the Lambda context (function name,
 * request id, cold start), as the HTTP handlers' middy middleware does for them.
 */
export function taskHandler<T>(run: (event: unknown) => Promise<T>) {
  return async (event: unknown, context?: Context): Promise<T> => {
    if (context) logger.addContext(context);
    return run(event);
  };
}
