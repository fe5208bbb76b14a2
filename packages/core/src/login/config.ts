import { ConfigError } from '../config.js';

/** Options of the login features (authorization code, refresh tokens, sessions, device flow). Seconds. */
export interface LoginOptions {
  /** Authorization code lifetime. Default 60, at most 600. */
  authorizationCodeTtl?: number;
  /** A refresh token unused for this long expires. Default 14 days. */
  refreshTokenIdleTtl?: number;
  /** A refresh-token family (one grant) ends this long after the login. Default 30 days. */
  refreshTokenAbsoluteTtl?: number;
  /** Window in which a retry with a just-rotated refresh token gets the same new pair. Default 0 (off), at most 60. */
  refreshGraceSeconds?: number;
  /** A login session unused for this long ends. Default 1 day. */
  sessionIdleTtl?: number;
  /** A login session ends this long after the login, whatever happens. Default 30 days. */
  sessionAbsoluteTtl?: number;
  /** ID token lifetime. Default 300. */
  idTokenTtl?: number;
  /** Device code lifetime (RFC 8628). Default 600. */
  deviceCodeTtl?: number;
  /** Minimum polling interval for the device flow. Default 5. */
  devicePollInterval?: number;
}

export type LoginConfig = Readonly<Required<LoginOptions>>;

function seconds(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number of seconds from ${min} to ${max}, got ${value}`);
  }
  return value;
}

const DAY = 86_400;

export function resolveLoginConfig(options: LoginOptions = {}): LoginConfig {
  const config = {
    authorizationCodeTtl: seconds('authorizationCodeTtl', options.authorizationCodeTtl ?? 60, 1, 600),
    refreshTokenIdleTtl: seconds('refreshTokenIdleTtl', options.refreshTokenIdleTtl ?? 14 * DAY, 60, 366 * DAY),
    refreshTokenAbsoluteTtl: seconds('refreshTokenAbsoluteTtl', options.refreshTokenAbsoluteTtl ?? 30 * DAY, 60, 366 * DAY),
    refreshGraceSeconds: seconds('refreshGraceSeconds', options.refreshGraceSeconds ?? 0, 0, 60),
    sessionIdleTtl: seconds('sessionIdleTtl', options.sessionIdleTtl ?? DAY, 60, 366 * DAY),
    sessionAbsoluteTtl: seconds('sessionAbsoluteTtl', options.sessionAbsoluteTtl ?? 30 * DAY, 60, 366 * DAY),
    idTokenTtl: seconds('idTokenTtl', options.idTokenTtl ?? 300, 30, DAY),
    deviceCodeTtl: seconds('deviceCodeTtl', options.deviceCodeTtl ?? 600, 60, DAY),
    devicePollInterval: seconds('devicePollInterval', options.devicePollInterval ?? 5, 1, 60),
  };
  if (config.refreshTokenIdleTtl > config.refreshTokenAbsoluteTtl) {
    throw new ConfigError('refreshTokenIdleTtl must not exceed refreshTokenAbsoluteTtl');
  }
  if (config.sessionIdleTtl > config.sessionAbsoluteTtl) throw new ConfigError('sessionIdleTtl must not exceed sessionAbsoluteTtl');
  return Object.freeze(config);
}
