/** One Powertools logger per process; its level comes from LOG_LEVEL (Powertools reads it). */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'sales-flow' });
