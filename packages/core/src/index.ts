export { createAuthServer, type AuthServer, type CreateAuthServerOptions } from './create-auth-server.js';
export { resolveConfig, ConfigError, type AuthServerConfig, type AuthServerOptions } from './config.js';
export { OAuthError, isOAuthError, type OAuthErrorCode } from './errors.js';
export { systemClock, type Clock } from './clock.js';
export type { EndpointRequest, FormParams } from './request.js';
export type { TokenResponse } from './tokens/issue-access-token.js';
export type { AccessTokenClaims } from './tokens/jwt-access-token.js';
export { MAX_TOKEN_LENGTH } from './tokens/jwt-access-token.js';
export { discardEvents, redact, type AuditEvent, type AuditEventType, type EventSink, type RequestContext } from './audit/events.js';
export { DuplicateError, type Store } from './ports/store.js';
export * from './model.js';
export { MasterKey, WrongMasterKeyError } from './keys/master-key.js';
export { checkMasterKey } from './keys/bootstrap.js';
export { createSigningKey, reencryptSigningKey } from './keys/signing-key.js';
export { RevocationSet } from './revocation/revocation-set.js';
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
