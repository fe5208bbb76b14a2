import type { EventSink } from '../audit/events.js';
import type { Clock } from '../clock.js';
import { randomToken, sha256 } from '../encoding.js';
import type { ChangeKind, ClientRecord, NewChange } from '../model.js';
import type { Store } from '../ports/store.js';
import { newClientId } from '../client-auth/reported-client-id.js';
import { ValidationError, validateClientInput, type NewClientInput } from './client-input.js';

export const CLIENT_SECRET_PREFIX = 'tsec_';

export interface ClientAdminDeps {
  store: Store;
  clock: Clock;
  events: EventSink;
  /** Hard maximum access-token lifetime (seconds): caps per-client TTLs and bounds client watermarks. */
  maxAccessTokenTtl: number;
}

/** A change-log entry telling every running instance that a client changed (and, for `revoke.client`, its tokens died). */
function clientChange(kind: ChangeKind, clientId: string, now: number, deps: ClientAdminDeps): NewChange {
  const lifetime = kind === 'revoke.client' ? deps.maxAccessTokenTtl * 1000 + 60_000 : 86_400_000;
  return { kind, target: clientId, createdAt: now, expiresAt: now + lifetime };
}

async function mustGet(deps: ClientAdminDeps, id: string): Promise<ClientRecord> {
  const client = await deps.store.getClient(id);
  if (!client) throw new ValidationError(`no client with id "${id}"`);
  return client;
}

/** Registers a client. Confidential clients using a secret get one, returned here and never again. */
export async function createClient(
  deps: ClientAdminDeps,
  input: NewClientInput,
): Promise<{ client: ClientRecord; secret: string | undefined }> {
  const valid = validateClientInput(input, deps.maxAccessTokenTtl);
  const now = deps.clock.now();
  const usesSecret = valid.authMethod === 'client_secret_basic' || valid.authMethod === 'client_secret_post';
  const secret = usesSecret ? randomToken(CLIENT_SECRET_PREFIX) : undefined;
  const client: ClientRecord = {
    id: newClientId(),
    ...valid,
    secrets: secret ? [{ hash: sha256(secret), createdAt: now, expiresAt: null }] : [],
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.insertClient(client, [clientChange('client.changed', client.id, now, deps)]);
  deps.events.emit({ type: 'client.created', time: now, clientId: client.id, outcome: 'success' });
  return { client, secret };
}

/**
 * Disables a client: it can no longer authenticate, and every token it holds is revoked at once — access
 * tokens through `revoke.client`, refresh tokens and pending codes through `grantsRevokedAt`.
 */
export async function disableClient(deps: ClientAdminDeps, id: string): Promise<ClientRecord> {
  const client = await mustGet(deps, id);
  const now = deps.clock.now();
  const updated = { ...client, disabled: true, grantsRevokedAt: now, updatedAt: now };
  await deps.store.updateClient(updated, [
    clientChange('client.changed', id, now, deps),
    clientChange('revoke.client', id, now, deps),
  ]);
  deps.events.emit({ type: 'client.changed', time: now, clientId: id, change: 'disabled', outcome: 'success' });
  return updated;
}

/** Re-enables a client. Tokens revoked when it was disabled stay revoked. */
export async function enableClient(deps: ClientAdminDeps, id: string): Promise<ClientRecord> {
  const client = await mustGet(deps, id);
  const now = deps.clock.now();
  const updated = { ...client, disabled: false, updatedAt: now };
  await deps.store.updateClient(updated, [clientChange('client.changed', id, now, deps)]);
  deps.events.emit({ type: 'client.changed', time: now, clientId: id, change: 'enabled', outcome: 'success' });
  return updated;
}

/** Deletes a client and revokes its tokens. */
export async function deleteClient(deps: ClientAdminDeps, id: string): Promise<void> {
  const now = deps.clock.now();
  const deleted = await deps.store.deleteClient(id, [
    clientChange('client.changed', id, now, deps),
    clientChange('revoke.client', id, now, deps),
  ]);
  if (!deleted) throw new ValidationError(`no client with id "${id}"`);
  deps.events.emit({ type: 'client.deleted', time: now, clientId: id, outcome: 'success' });
}

/**
 * Issues a new secret. The current one keeps working for `graceSeconds` (0 = stops at once);
 * secrets already past their grace are dropped.
 */
export async function rotateClientSecret(
  deps: ClientAdminDeps,
  id: string,
  graceSeconds: number,
): Promise<{ client: ClientRecord; secret: string }> {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0) throw new ValidationError('grace must be a whole number of seconds ≥ 0');
  const client = await mustGet(deps, id);
  if (client.authMethod !== 'client_secret_basic' && client.authMethod !== 'client_secret_post') {
    throw new ValidationError(`client "${id}" authenticates with ${client.authMethod}, not a secret`);
  }
  const now = deps.clock.now();
  const secret = randomToken(CLIENT_SECRET_PREFIX);
  const graceEnd = now + graceSeconds * 1000;
  const kept = client.secrets
    .filter((s) => s.expiresAt === null || s.expiresAt > now)
    .map((s) => ({ ...s, expiresAt: s.expiresAt === null ? graceEnd : Math.min(s.expiresAt, graceEnd) }))
    .filter((s) => s.expiresAt > now);
  const updated: ClientRecord = {
    ...client,
    secrets: [{ hash: sha256(secret), createdAt: now, expiresAt: null }, ...kept],
    updatedAt: now,
  };
  await deps.store.updateClient(updated, [clientChange('client.changed', id, now, deps)]);
  deps.events.emit({ type: 'client.secret_rotated', time: now, clientId: id, graceSeconds, outcome: 'success' });
  return { client: updated, secret };
}
