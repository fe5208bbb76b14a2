// The login features' public surface, re-exported from the package barrel.
export type {
  UserRecord,
  SessionRecord,
  AuthorizationCodeRecord,
  RefreshTokenRecord,
  ConsentRecord,
  DeviceCodeRecord,
  DeviceCodeState,
} from './model.js';
export type { LoginStore } from '../ports/login-store.js';
export type { PasswordHasher } from './password-hasher.js';
export { resolveLoginConfig, type LoginOptions, type LoginConfig } from './config.js';
export { usernameKey, checkUsername } from './username.js';
export { LoginThrottle } from './throttle.js';
export { LoginFlows, type LoginResult } from './flows.js';
export { formatUserCode, normaliseUserCode, USER_CODE_ALPHABET, DEVICE_CODE_GRANT, type DeviceAuthorizationResponse } from './device.js';
export { MAX_PARAM_LENGTH, type AuthorizationRequest, type AuthorizeErrorCode, type AuthorizeOutcome } from './authorize-request.js';
export { s256, verifyS256, isCodeVerifier, isS256Challenge } from '../pkce.js';
export { REFRESH_TOKEN_PREFIX } from '../tokens/user-tokens.js';
export { AUTHORIZATION_CODE_PREFIX } from '../grants/authorization-code.js';
export {
  createUser,
  setUserPassword,
  disableUser,
  enableUser,
  deleteUser,
  logoutUser,
  revokeSession,
  findUser,
  MIN_PASSWORD_LENGTH,
  type UserAdminDeps,
  type NewUserInput,
} from '../users/users.js';
