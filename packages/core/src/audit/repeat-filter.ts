import type { AuditEvent, EventSink } from './events.js';

/**
 * Keeps the audit log's volume proportional to tokens, not to API traffic: an active introspection is
 * recorded the first time a caller introspects a token (which answers "introspected by" for forensics);
 * the same caller introspecting the same token again is not written again. Inactive introspections and
 * every other event pass. Bounded to `capacity` remembered (token, caller) pairs: the token remembered
 * longest is forgotten first, so a long-lived token may be recorded again after many others.
 *
 * Keyed by the token id alone (the jti string of a cached token, whose hash V8 keeps), with the callers
 * in a short list: no key string is built per introspection.
 */
export function skipRepeatedIntrospections(sink: EventSink, capacity = 100_000): EventSink {
  const callersByToken = new Map<string, string[]>();
  let pairs = 0;
  const remember = (tokenId: string, callerId: string): void => {
    while (pairs >= capacity && callersByToken.size > 0) {
      const [oldest, callers] = callersByToken.entries().next().value as [string, string[]];
      callersByToken.delete(oldest);
      pairs -= callers.length;
    }
    const callers = callersByToken.get(tokenId);
    if (callers) callers.push(callerId);
    else callersByToken.set(tokenId, [callerId]);
    pairs += 1;
  };
  return {
    emit(event: AuditEvent) {
      if (event.type === 'token.introspected' && event.active && event.tokenId !== undefined) {
        const callerId = event.clientId ?? '';
        if (callersByToken.get(event.tokenId)?.includes(callerId)) return;
        remember(event.tokenId, callerId);
      }
      sink.emit(event);
    },
  };
}
