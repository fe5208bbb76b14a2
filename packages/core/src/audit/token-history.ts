import type { AuditQuery, AuditRecord, AuditStore } from '../ports/audit-store.js';
import type { AuditEvent } from './events.js';

type IssuedEvent = Extract<AuditEvent, { type: 'token.issued' }>;

/** One line of a token's life. */
export interface TokenHistoryEntry {
  seq: number;
  /** What the event means for this token, e.g. `introspected by tc_x: inactive (revoked)`. */
  note: string;
  event: AuditEvent;
}

/** A token's life reconstructed from the audit log (`tessera tokens show JTI`). */
export interface TokenHistory {
  tokenId: string;
  issued: IssuedEvent | undefined;
  familyId: string | undefined;
  /** The access token of the same refresh-token family issued just before this one. */
  refreshedFrom: string | undefined;
  /** The access token of the same family issued just after this one. */
  refreshedInto: string | undefined;
  /** Every event about the token, its family, its session, its client and its user during its life, oldest first. */
  entries: TokenHistoryEntry[];
}

const LIMIT = 10_000;

function note(event: AuditEvent, jti: string): string {
  const by = event.clientId ? ` by ${event.clientId}` : '';
  const why = event.reason ? ` (${event.reason})` : '';
  switch (event.type) {
    case 'token.issued':
      return event.tokenId === jti
        ? `issued to ${event.clientId ?? '?'} (${event.grantType}${event.subject ? `, subject ${event.subject}` : ''}, scope "${event.scope}")`
        : `another access token of the family issued: ${event.tokenId ?? '?'}`;
    case 'token.introspected':
      return `introspected${by}: ${event.active ? 'active' : 'inactive'}${why}`;
    case 'token.revoked':
      return `revoked${by}`;
    case 'token.refreshed':
      return `family refreshed${by}${event.grace ? ' (grace retry)' : ''}`;
    case 'refresh_token.revoked':
      return `family revoked${by}`;
    case 'refresh_token.reuse_detected':
      return `refresh-token reuse detected${by}: family revoked`;
    case 'session.ended':
      return `session ${event.sessionId ?? '?'} ended (${event.endedBy})`;
    case 'client.changed':
      return `client ${event.clientId ?? '?'} ${event.change}`;
    case 'client.deleted':
      return `client ${event.clientId ?? '?'} deleted`;
    case 'user.changed':
      return `user ${event.subject ?? '?'} ${event.change}`;
    case 'user.deleted':
      return `user ${event.subject ?? '?'} deleted`;
    case 'security.alert_raised':
      return `alert ${event.detector} (${event.severity}): ${event.summary}`;
    default:
      return `${event.type}${by}${why}`;
  }
}

/**
 * Reconstructs a token's life from the audit log: the events carrying its jti (issued, introspected,
 * revoked), those of its refresh-token family (refreshed, revoked, reuse), and the events that ended it
 * indirectly during its life (its session ended, its client disabled or deleted, its user disabled,
 * logged out or deleted). Resolves undefined when the log holds nothing about the jti.
 */
export async function tokenHistory(store: Pick<AuditStore, 'queryAuditEvents'>, jti: string): Promise<TokenHistory | undefined> {
  const found = new Map<number, AuditRecord>();
  const collect = async (query: Omit<AuditQuery, 'limit'>, keep: (e: AuditEvent) => boolean = () => true): Promise<AuditRecord[]> => {
    const records = (await store.queryAuditEvents({ ...query, limit: LIMIT })).filter((r) => keep(r.event));
    for (const r of records) found.set(r.seq, r);
    return records;
  };
  const direct = await collect({ tokenId: jti });
  if (direct.length === 0) return undefined;
  const issued = direct.map((r) => r.event).find((e): e is IssuedEvent => e.type === 'token.issued');
  let refreshedFrom: string | undefined;
  let refreshedInto: string | undefined;
  const familyId = issued?.familyId;
  if (issued) {
    const life = { since: issued.time, until: issued.expiresAt + 1 };
    if (familyId) {
      await collect({ tokenId: familyId });
      const family = (await store.queryAuditEvents({ types: ['token.issued'], clientId: issued.clientId, ...(issued.sessionId ? { sessionId: issued.sessionId } : {}), limit: LIMIT }))
        .map((r) => r.event)
        .filter((e): e is IssuedEvent => e.type === 'token.issued' && e.familyId === familyId);
      const at = family.findIndex((e) => e.tokenId === jti);
      refreshedFrom = at > 0 ? family[at - 1]?.tokenId : undefined;
      refreshedInto = at >= 0 ? family[at + 1]?.tokenId : undefined;
    }
    if (issued.sessionId) await collect({ sessionId: issued.sessionId, types: ['session.ended'] });
    if (issued.clientId) {
      await collect({ ...life, clientId: issued.clientId, types: ['client.changed', 'client.deleted'] }, (e) => e.type === 'client.deleted' || (e.type === 'client.changed' && e.change === 'disabled'));
    }
    if (issued.subject) {
      await collect({ ...life, subject: issued.subject, types: ['user.changed', 'user.deleted'] }, (e) => e.type === 'user.deleted' || (e.type === 'user.changed' && (e.change === 'disabled' || e.change === 'logged_out')));
    }
  }
  const entries = [...found.values()].sort((a, b) => a.seq - b.seq).map((r) => ({ seq: r.seq, note: note(r.event, jti), event: r.event }));
  return { tokenId: jti, issued, familyId, refreshedFrom, refreshedInto, entries };
}
