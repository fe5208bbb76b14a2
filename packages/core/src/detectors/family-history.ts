import type { AuditEvent } from '../audit/events.js';
import { BoundedMap } from './bounded-map.js';
import { agentFamily, networkPrefix } from './network.js';

/** One use of a refresh-token family as the detectors keep it: never a token, only where and when. */
export interface FamilyUse {
  time: number;
  ip: string | undefined;
  userAgent: string | undefined;
  network: string;
  agent: string;
  event: 'issued' | 'refreshed' | 'grace_retry' | 'reuse';
}

const USER_GRANTS = new Set(['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code']);

/**
 * The recent uses of each refresh-token family (last `maxUsesPerFamily`, LRU-bounded families).
 * A family is born at the authorization-code or device-code exchange (`token.issued` with its `familyId`;
 * an event without one is kept per session+client and becomes the history of the first family refreshed
 * in that session for that client).
 */
export class FamilyHistory {
  readonly #families: BoundedMap<string, FamilyUse[]>;
  readonly #births: BoundedMap<string, FamilyUse[]>;
  readonly #maxUses: number;

  constructor(options: { maxFamilies?: number; maxUsesPerFamily?: number } = {}) {
    this.#families = new BoundedMap(options.maxFamilies ?? 100_000);
    this.#births = new BoundedMap(options.maxFamilies ?? 100_000);
    this.#maxUses = options.maxUsesPerFamily ?? 16;
  }

  static use(event: AuditEvent, kind: FamilyUse['event']): FamilyUse {
    return { time: event.time, ip: event.ip, userAgent: event.userAgent?.slice(0, 200), network: networkPrefix(event.ip), agent: agentFamily(event.userAgent), event: kind };
  }

  /** Records the exchange that started a family (token.issued of a user grant with a session). */
  observeIssued(event: AuditEvent & { type: 'token.issued' }): void {
    if (!USER_GRANTS.has(event.grantType)) return;
    const use = FamilyHistory.use(event, 'issued');
    if (event.familyId) this.#append(this.#families, event.familyId, use);
    else if (event.sessionId && event.clientId) this.#append(this.#births, `${event.sessionId} ${event.clientId}`, use);
  }

  /** The uses seen so far for the family (the birth uses of its session when the family is new to us). */
  history(familyId: string, sessionId: string | undefined, clientId: string | undefined): readonly FamilyUse[] {
    const known = this.#families.get(familyId);
    if (known) return known;
    return (sessionId && clientId ? this.#births.get(`${sessionId} ${clientId}`) : undefined) ?? [];
  }

  record(familyId: string, sessionId: string | undefined, clientId: string | undefined, use: FamilyUse): void {
    if (!this.#families.get(familyId)) this.#families.set(familyId, [...this.history(familyId, sessionId, clientId)]);
    this.#append(this.#families, familyId, use);
  }

  #append(map: BoundedMap<string, FamilyUse[]>, key: string, use: FamilyUse): void {
    const uses = map.getOrCreate(key, () => []);
    uses.push(use);
    // Keep the first use (where the family was born) and the most recent ones.
    if (uses.length > this.#maxUses) uses.splice(1, uses.length - this.#maxUses);
  }
}
