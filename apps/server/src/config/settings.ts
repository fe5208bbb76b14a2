import { MasterKey, SIGNING_ALGORITHMS, parseRate, type SigningAlgorithm } from '@tessera/core';
import { DEFAULT_RATE_LIMITS } from '../rate-limit/limits.js';
import { DEFAULT_DETECTOR_ACTIONS, parseDetectorActions } from '../security/detector-actions.js';
import { parseDurationSeconds } from './durations.js';

/** How one setting is read from a flag, an environment variable and the config file. */
interface SettingSpec<T> {
  flag: string;
  env: string;
  /** Key in the JSON config file. */
  key: string;
  description: string;
  /** Shown in help and docs. */
  defaultText: string;
  parse(raw: string): T;
}

function integerIn(min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`must be an integer from ${min} to ${max}`);
    return value;
  };
}

const duration = (raw: string): number => {
  const seconds = parseDurationSeconds(raw);
  if (seconds <= 0) throw new Error('must be longer than zero');
  return seconds;
};

const wholeSeconds = (raw: string): number => {
  const seconds = duration(raw);
  if (!Number.isInteger(seconds)) throw new Error('must be a whole number of seconds');
  return seconds;
};

const text = (raw: string): string => {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw.trim();
};

const boolean = (raw: string): boolean => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error('must be true or false');
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Every server setting, in one documented place. Precedence: flag, then environment, then config file, then default. */
export const SETTINGS = {
  port: { flag: 'port', env: 'TESSERA_PORT', key: 'port', defaultText: '4000', description: 'TCP port to listen on (0 picks a free one)', parse: integerIn(0, 65_535) },
  host: { flag: 'host', env: 'TESSERA_HOST', key: 'host', defaultText: '127.0.0.1', description: 'Address to listen on', parse: text },
  issuer: {
    flag: 'issuer',
    env: 'TESSERA_ISSUER',
    key: 'issuer',
    defaultText: 'http://localhost:<port>',
    description: 'Issuer URL written into tokens and metadata (https, or http on localhost)',
    parse: text,
  },
  dataDir: { flag: 'data-dir', env: 'TESSERA_DATA_DIR', key: 'dataDir', defaultText: './.tessera', description: 'Directory for the SQLite database and the master key file', parse: text },
  masterKey: {
    flag: 'master-key',
    env: 'TESSERA_MASTER_KEY',
    key: 'masterKey',
    defaultText: '<data-dir>/master.key',
    description: 'Base64url 256-bit key encrypting signing keys at rest; when unset, a key file (mode 0600) is used or created',
    // Checked here so a malformed key is reported under the flag, variable or file key it came from.
    parse: (raw: string): string => {
      MasterKey.parse(raw);
      return raw.trim();
    },
  },
  databaseUrl: {
    flag: 'database-url',
    env: 'TESSERA_DATABASE_URL',
    key: 'databaseUrl',
    defaultText: 'sqlite in <data-dir>',
    description: 'Database location: sqlite:///path/to/file.db, or postgres://user:password@host:5432/db[?sslmode=verify-full] for several instances',
    parse: text,
  },
  databasePoolSize: {
    flag: 'database-pool-size',
    env: 'TESSERA_DATABASE_POOL_SIZE',
    key: 'databasePoolSize',
    defaultText: '10',
    description: 'PostgreSQL: connections per instance (plus one for LISTEN and one while holding a cluster lock)',
    parse: integerIn(1, 1000),
  },
  databaseStatementTimeout: {
    flag: 'database-statement-timeout',
    env: 'TESSERA_DATABASE_STATEMENT_TIMEOUT',
    key: 'databaseStatementTimeout',
    defaultText: '5s',
    description: 'PostgreSQL: longest a statement may run (or wait for a lock) before the request fails with 503',
    parse: duration,
  },
  databaseConnectTimeout: {
    flag: 'database-connect-timeout',
    env: 'TESSERA_DATABASE_CONNECT_TIMEOUT',
    key: 'databaseConnectTimeout',
    defaultText: '5s',
    description: 'PostgreSQL: longest wait to open a connection or get one from the pool',
    parse: duration,
  },
  databaseSslMode: {
    flag: 'database-ssl-mode',
    env: 'TESSERA_DATABASE_SSL_MODE',
    key: 'databaseSslMode',
    defaultText: "the URL's sslmode, else disable",
    description: 'PostgreSQL TLS, as libpq: disable, require (encrypt, no certificate check), verify-ca, verify-full',
    parse: (raw: string): 'disable' | 'require' | 'verify-ca' | 'verify-full' => {
      const modes = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
      const mode = modes.find((m) => m === raw.trim());
      if (!mode) throw new Error(`must be one of ${modes.join(', ')}`);
      return mode;
    },
  },
  databaseSslCa: {
    flag: 'database-ssl-ca',
    env: 'TESSERA_DATABASE_SSL_CA',
    key: 'databaseSslCa',
    defaultText: 'system CAs',
    description: "PostgreSQL: PEM file of the CA that signed the server's certificate (e.g. the provider's bundle)",
    parse: text,
  },
  autoMigrate: {
    flag: 'auto-migrate',
    env: 'TESSERA_AUTO_MIGRATE',
    key: 'autoMigrate',
    defaultText: 'true',
    description: 'Apply pending database migrations at start (under a lock: instances starting together migrate once); false: run "tessera migrate"',
    parse: boolean,
  },
  logLevel: {
    flag: 'log-level',
    env: 'TESSERA_LOG_LEVEL',
    key: 'logLevel',
    defaultText: 'info',
    description: `Log level: ${LOG_LEVELS.join(', ')}`,
    parse: (raw: string) => {
      if (!LOG_LEVELS.includes(raw)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
      return raw;
    },
  },
  accessTokenTtl: { flag: 'access-token-ttl', env: 'TESSERA_ACCESS_TOKEN_TTL', key: 'accessTokenTtl', defaultText: '10m', description: 'Default access-token lifetime', parse: wholeSeconds },
  maxAccessTokenTtl: {
    flag: 'max-access-token-ttl',
    env: 'TESSERA_MAX_ACCESS_TOKEN_TTL',
    key: 'maxAccessTokenTtl',
    defaultText: '1h',
    description: 'Hard maximum for any access-token lifetime, per-client overrides included',
    parse: wholeSeconds,
  },
  signingAlgorithms: {
    flag: 'signing-alg',
    env: 'TESSERA_SIGNING_ALGS',
    key: 'signingAlgorithms',
    defaultText: 'ES256',
    description: `Comma-separated algorithms with an active key, the first being the default (${SIGNING_ALGORITHMS.join(', ')})`,
    parse: (raw: string): SigningAlgorithm[] => {
      const algs = raw.split(',').map((a) => a.trim()).filter(Boolean);
      for (const alg of algs) {
        if (!SIGNING_ALGORITHMS.includes(alg as SigningAlgorithm)) throw new Error(`unknown algorithm "${alg}"`);
      }
      if (algs.length === 0) throw new Error('name at least one algorithm');
      return algs as SigningAlgorithm[];
    },
  },
  syncInterval: {
    flag: 'sync-interval',
    env: 'TESSERA_SYNC_INTERVAL',
    key: 'syncInterval',
    defaultText: '10ms',
    description: 'How often the server checks for changes made by the CLI or other instances (a cheap check; the change log is read only when it moved)',
    parse: duration,
  },
  revocationHeartbeat: {
    flag: 'revocation-heartbeat',
    env: 'TESSERA_REVOCATION_HEARTBEAT',
    key: 'revocationHeartbeat',
    defaultText: '15s',
    description: 'Interval of heartbeat comments on idle /revocations/stream connections (keep it below proxy idle timeouts)',
    parse: duration,
  },
  revocationMaxStreams: {
    flag: 'revocation-max-streams',
    env: 'TESSERA_REVOCATION_MAX_STREAMS',
    key: 'revocationMaxStreams',
    defaultText: '1000',
    description: 'Revocation streams served at once; more are refused with 503',
    parse: integerIn(1, 1_000_000),
  },
  requestTimeout: {
    flag: 'request-timeout',
    env: 'TESSERA_REQUEST_TIMEOUT',
    key: 'requestTimeout',
    defaultText: '30s',
    description: 'Time a client has to send a whole request, headers and body; a slower one gets 408 (slow-loris defence)',
    parse: duration,
  },
  bodyLimit: { flag: 'body-limit', env: 'TESSERA_BODY_LIMIT', key: 'bodyLimit', defaultText: '65536', description: 'Largest request body in bytes', parse: integerIn(1024, 10_485_760) },
  trustProxy: { flag: 'trust-proxy', env: 'TESSERA_TRUST_PROXY', key: 'trustProxy', defaultText: 'false', description: 'Take the client IP from X-Forwarded-For', parse: boolean },
  jwksMaxAge: { flag: 'jwks-max-age', env: 'TESSERA_JWKS_MAX_AGE', key: 'jwksMaxAge', defaultText: '5m', description: 'Cache-Control max-age of the JWKS', parse: wholeSeconds },
  keyRotationInterval: {
    flag: 'key-rotation-interval',
    env: 'TESSERA_KEY_ROTATION_INTERVAL',
    key: 'keyRotationInterval',
    defaultText: '30d',
    description: 'How long a signing key signs before the next one takes over',
    parse: wholeSeconds,
  },
  keyPrePublication: {
    flag: 'key-prepublication',
    env: 'TESSERA_KEY_PREPUBLICATION',
    key: 'keyPrePublication',
    defaultText: '1d',
    description: 'How long the next key is published before it signs (at least twice the JWKS max-age)',
    parse: wholeSeconds,
  },
  keyRetirementMargin: {
    flag: 'key-retirement-margin',
    env: 'TESSERA_KEY_RETIREMENT_MARGIN',
    key: 'keyRetirementMargin',
    defaultText: '5m',
    description: 'Extra time a retired key stays published after its last token expired',
    parse: wholeSeconds,
  },
  // Metrics (docs/metrics.md): off unless a port or a token is set, so /metrics is never open to the world by default.
  metricsPort: {
    flag: 'metrics-port',
    env: 'TESSERA_METRICS_PORT',
    key: 'metricsPort',
    defaultText: 'off',
    description: 'Serve /metrics (Prometheus) on this port of its own, at the metrics host (0 picks a free one)',
    parse: integerIn(0, 65_535),
  },
  metricsHost: {
    flag: 'metrics-host',
    env: 'TESSERA_METRICS_HOST',
    key: 'metricsHost',
    defaultText: '127.0.0.1',
    description: 'Address of the metrics listener',
    parse: text,
  },
  metricsToken: {
    flag: 'metrics-token',
    env: 'TESSERA_METRICS_TOKEN',
    key: 'metricsToken',
    defaultText: 'none',
    description: 'Bearer token /metrics requires; without a metrics port, /metrics is then served on the public port',
    parse: (raw: string): string => {
      const token = raw.trim();
      if (token.length < 16 || /\s/.test(token)) throw new Error('must be at least 16 characters without spaces');
      return token;
    },
  },
  // Audit log and alerts (docs/audit-events.md, docs/alerts.md).
  auditFlushInterval: {
    flag: 'audit-flush-interval',
    env: 'TESSERA_AUDIT_FLUSH_INTERVAL',
    key: 'auditFlushInterval',
    defaultText: '1s',
    description: 'How often queued audit events are written to the database; a kill -9 may lose at most this much (a clean stop loses nothing)',
    parse: (raw: string): number => {
      const seconds = duration(raw);
      if (seconds < 0.01 || seconds > 60) throw new Error('must be from 10ms to 60s');
      return seconds;
    },
  },
  auditRetention: {
    flag: 'audit-retention',
    env: 'TESSERA_AUDIT_RETENTION',
    key: 'auditRetention',
    defaultText: '90d',
    description: 'Audit events (and acknowledged alerts, webhook dead letters) older than this are pruned automatically',
    parse: (raw: string): number => {
      const seconds = wholeSeconds(raw);
      if (seconds < 3600) throw new Error('must be at least 1h');
      return seconds;
    },
  },
  alertWebhooks: {
    flag: 'alert-webhooks',
    env: 'TESSERA_ALERT_WEBHOOKS',
    key: 'alertWebhooks',
    defaultText: 'none',
    description: 'Comma-separated http(s) URLs every security alert is POSTed to, signed (needs TESSERA_ALERT_WEBHOOK_SECRET)',
    parse: (raw: string): string[] => {
      const urls = raw.split(',').map((u) => u.trim()).filter(Boolean);
      for (const url of urls) {
        let parsed: URL;
        try {
          parsed = new URL(url);
        } catch {
          throw new Error('must be comma-separated http(s) URLs');
        }
        if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('must be comma-separated http(s) URLs');
      }
      return urls;
    },
  },
  alertWebhookSecret: {
    flag: 'alert-webhook-secret',
    env: 'TESSERA_ALERT_WEBHOOK_SECRET',
    key: 'alertWebhookSecret',
    defaultText: 'none',
    description: 'Shared secret for the Tessera-Signature HMAC-SHA256 header of alert webhooks (at least 16 characters)',
    parse: (raw: string): string => {
      const secret = raw.trim();
      if (secret.length < 16) throw new Error('must be at least 16 characters');
      return secret;
    },
  },
  demoClient: {
    flag: 'demo-client',
    env: 'TESSERA_DEMO_CLIENT',
    key: 'demoClient',
    defaultText: 'true',
    description: 'Create and print a demo client on the first start with an empty data directory',
    parse: boolean,
  },
  // Login features (docs/login.md).
  authorizationCodeTtl: { flag: 'authorization-code-ttl', env: 'TESSERA_AUTHORIZATION_CODE_TTL', key: 'authorizationCodeTtl', defaultText: '1m', description: 'Lifetime of an authorization code (at most 10m)', parse: wholeSeconds },
  refreshTokenIdleTtl: { flag: 'refresh-token-idle-ttl', env: 'TESSERA_REFRESH_TOKEN_IDLE_TTL', key: 'refreshTokenIdleTtl', defaultText: '14d', description: 'A refresh token unused this long expires', parse: wholeSeconds },
  refreshTokenAbsoluteTtl: { flag: 'refresh-token-absolute-ttl', env: 'TESSERA_REFRESH_TOKEN_ABSOLUTE_TTL', key: 'refreshTokenAbsoluteTtl', defaultText: '30d', description: 'A refresh-token family ends this long after the login', parse: wholeSeconds },
  refreshGrace: {
    flag: 'refresh-grace',
    env: 'TESSERA_REFRESH_GRACE',
    key: 'refreshGrace',
    defaultText: '0s (off)',
    description: 'Window in which retrying a just-rotated refresh token returns the same new pair instead of revoking the family (2s–10s suggested, at most 60s)',
    parse: (raw: string): number => {
      const seconds = parseDurationSeconds(raw);
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > 60) throw new Error('must be whole seconds from 0s to 60s');
      return seconds;
    },
  },
  sessionIdleTtl: { flag: 'session-idle-ttl', env: 'TESSERA_SESSION_IDLE_TTL', key: 'sessionIdleTtl', defaultText: '1d', description: 'A login session unused this long ends', parse: wholeSeconds },
  sessionAbsoluteTtl: { flag: 'session-absolute-ttl', env: 'TESSERA_SESSION_ABSOLUTE_TTL', key: 'sessionAbsoluteTtl', defaultText: '30d', description: 'A login session ends this long after the login', parse: wholeSeconds },
  // Rate limiting and anomaly detectors (docs/rate-limiting.md, docs/detectors.md).
  rateLimit: { flag: 'rate-limit', env: 'TESSERA_RATE_LIMIT', key: 'rateLimit', defaultText: 'true', description: 'Token-bucket rate limits on /token, /introspect, /revoke, login and device-code entry', parse: boolean },
  rateLimitClient: {
    flag: 'rate-limit-client',
    env: 'TESSERA_RATE_LIMIT_CLIENT',
    key: 'rateLimitClient',
    defaultText: DEFAULT_RATE_LIMITS.client,
    description: 'Per client id on each of /token, /introspect, /revoke: COUNT/PERIOD, a bucket of COUNT refilled over PERIOD',
    parse: parseRate,
  },
  rateLimitIp: { flag: 'rate-limit-ip', env: 'TESSERA_RATE_LIMIT_IP', key: 'rateLimitIp', defaultText: DEFAULT_RATE_LIMITS.ip, description: 'Per client IP on each of /token, /introspect, /revoke', parse: parseRate },
  rateLimitLogin: { flag: 'rate-limit-login', env: 'TESSERA_RATE_LIMIT_LOGIN', key: 'rateLimitLogin', defaultText: DEFAULT_RATE_LIMITS.login, description: 'Per client IP on the login form POST', parse: parseRate },
  rateLimitDevice: { flag: 'rate-limit-device', env: 'TESSERA_RATE_LIMIT_DEVICE', key: 'rateLimitDevice', defaultText: DEFAULT_RATE_LIMITS.device, description: 'Per client IP on device-code entry (POST /device, /device/login)', parse: parseRate },
  redisUrl: {
    flag: 'redis-url',
    env: 'TESSERA_REDIS_URL',
    key: 'redisUrl',
    defaultText: 'unset (limits per instance)',
    description: 'redis://host:6379 to share rate-limit buckets between instances; if Redis is down, limits stay per instance',
    parse: text,
  },
  detectorActions: {
    flag: 'detector-actions',
    env: 'TESSERA_DETECTOR_ACTIONS',
    key: 'detectorActions',
    defaultText: DEFAULT_DETECTOR_ACTIONS,
    description: 'Anomaly detector actions, name=alert|throttle|revoke|off comma-separated (docs/detectors.md); unnamed detectors keep their default',
    parse: parseDetectorActions,
  },
} satisfies Record<string, SettingSpec<unknown>>;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { [K in SettingName]?: ReturnType<(typeof SETTINGS)[K]['parse']> };
