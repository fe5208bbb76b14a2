export { createAuthServer, type AuthServer, type CreateAuthServerOptions } from './create-auth-server.js';
export { resolveConfig, ConfigError, type AuthServerConfig, type AuthServerOptions } from './config.js';
export { OAuthError, isOAuthError, type OAuthErrorCode } from './errors.js';
export { systemClock, type Clock } from './clock.js';
export type { EndpointRequest, FormParams } from './request.js';
export type { TokenResponse } from './tokens/issue-access-token.js';
export type { AccessTokenClaims } from './tokens/jwt-access-token.js';
export { MAX_TOKEN_LENGTH } from './tokens/jwt-access-token.js';
export { discardEvents, fanOutEvents, redact, type AlertSeverity, type AuditEvent, type AuditEventType, type EventSink, type RequestContext } from './audit/events.js';
export { DuplicateError, type Store } from './ports/store.js';
export type { AuditStore, AuditRecord, AuditQuery, AlertRecord, WebhookDeadLetter } from './ports/audit-store.js';
export { skipRepeatedIntrospections } from './audit/repeat-filter.js';
export { AuditWriter, DEFAULT_AUDIT_BATCH_SIZE, DEFAULT_AUDIT_MAX_QUEUE, type AuditWriterOptions, type RepeatTimer, type Defer } from './audit/audit-writer.js';
export { pruneAuditLogOnce, AUDIT_RETENTION_LOCK, AUDIT_PRUNED_AT_META, type AuditRetentionOptions } from './audit/audit-retention.js';
export { alertFromEvent, isAlertRaised, newAlertId, type AlertRaisedEvent } from './audit/alert-record.js';
export { tokenHistory, type TokenHistory, type TokenHistoryEntry } from './audit/token-history.js';
export * from './model.js';
export { MasterKey, WrongMasterKeyError } from './keys/master-key.js';
export { checkMasterKey } from './keys/bootstrap.js';
export { createSigningKey, reencryptSigningKey } from './keys/signing-key.js';
export {
  applyKeySchedule,
  rotateKeysNow,
  revokeSigningKey,
  reencryptAllKeys,
  KeyLifecycleError,
  type KeyLifecycleDeps,
} from './keys/key-lifecycle.js';
export {
  planKeySteps,
  validateRotationPolicy,
  rotationDueAt,
  activationAt,
  RotationPolicyError,
  type RotationPolicy,
  type KeyStep,
} from './keys/rotation-policy.js';
export { isPublished } from './keys/keyring.js';
export { RevocationSet } from './revocation/revocation-set.js';
export {
  REVOCATION_FEED_SCOPE,
  REVOCATION_FEED_TYP,
  DEFAULT_FEED_PAGE_SIZE,
  MAX_FEED_PAGE_SIZE,
  parseFeedParams,
  type FeedEntry,
  type FeedEntryKind,
  type RevocationFeedPage,
  type RevocationFeedPayload,
} from './revocation/feed.js';
export type { RevocationFeedReader } from './revocation/feed-access.js';
export type { ChangeListener } from './revocation/change-listeners.js';
export { sha256, randomToken } from './encoding.js';
export { ValidationError, SUPPORTED_GRANT_TYPES, type NewClientInput } from './admin/client-input.js';
export {
  createClient,
  disableClient,
  enableClient,
  deleteClient,
  rotateClientSecret,
  CLIENT_SECRET_PREFIX,
  type ClientAdminDeps,
} from './admin/clients.js';
export * from './login/exports.js';
export * from './detectors/index.js';
export * from './rate-limit/index.js';
export { accountTag } from './login/throttle.js';
export { reportedClientId } from './client-auth/reported-client-id.js';
