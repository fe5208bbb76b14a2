import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@tessera/core';
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
    parse: text,
  },
  databaseUrl: {
    flag: 'database-url',
    env: 'TESSERA_DATABASE_URL',
    key: 'databaseUrl',
    defaultText: 'sqlite in <data-dir>',
    description: 'Database location: sqlite:///path/to/file.db (PostgreSQL arrives with its own issue)',
    parse: text,
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
    defaultText: '250ms',
    description: 'How often the server applies changes made by the CLI or other instances',
    parse: duration,
  },
  bodyLimit: { flag: 'body-limit', env: 'TESSERA_BODY_LIMIT', key: 'bodyLimit', defaultText: '65536', description: 'Largest request body in bytes', parse: integerIn(1024, 10_485_760) },
  trustProxy: { flag: 'trust-proxy', env: 'TESSERA_TRUST_PROXY', key: 'trustProxy', defaultText: 'false', description: 'Take the client IP from X-Forwarded-For', parse: boolean },
  demoClient: {
    flag: 'demo-client',
    env: 'TESSERA_DEMO_CLIENT',
    key: 'demoClient',
    defaultText: 'true',
    description: 'Create and print a demo client on the first start with an empty data directory',
    parse: boolean,
  },
} satisfies Record<string, SettingSpec<unknown>>;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { [K in SettingName]?: ReturnType<(typeof SETTINGS)[K]['parse']> };
