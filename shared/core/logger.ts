/**
 * Structured logs with the request id as correlation id. Never log task tokens, link secrets,
 * licence keys, or personal data (names, emails): log ids, kinds, steps and outcomes.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'software-request' });
