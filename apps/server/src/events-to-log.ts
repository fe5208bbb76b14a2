import type { AuditEvent, EventSink } from '@tessera/core';
import type { Logger } from 'pino';

/**
 * Writes every audit event as a structured log line at debug level (security-relevant failures at info),
 * until the audit log issue gives them a table of their own. Events never carry tokens or secrets.
 */
export function logEventSink(logger: Logger): EventSink {
  const log = logger.child({ component: 'events' });
  return {
    emit(event: AuditEvent) {
      if ('severity' in event && event.severity === 'high') log.warn({ event }, event.type);
      else if (event.type === 'client.authentication_failed') log.info({ event }, event.type);
      else if (log.isLevelEnabled('debug')) log.debug({ event }, event.type);
    },
  };
}
