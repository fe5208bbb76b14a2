import type { AuditEvent, EventSink } from './events.js';

/**
 * Keeps the audit log's volume proportional to tokens, not to API traffic: an active introspection is
 * recorded the first time a caller introspects a token (which answers "introspected by" for forensics);
 * the same caller introspecting the same token again is not written again. Inactive introspections and
 * every other event pass. Bounded: the oldest remembered pair is forgotten first, so a long-lived
 * token may be recorded again after many others.
 */
export function skipRepeatedIntrospections(sink: EventSink, capacity = 100_000): EventSink {
  const seen = new Set<string>();
  return {
    emit(event: AuditEvent) {
      if (event.type === 'token.introspected' && event.active && event.tokenId !== undefined) {
        const key = `${event.tokenId} ${event.clientId ?? ''}`;
        if (seen.has(key)) return;
        if (seen.size >= capacity) seen.delete(seen.values().next().value as string);
        seen.add(key);
      }
      sink.emit(event);
    },
  };
}
