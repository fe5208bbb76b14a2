import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import pg from 'pg';

/** TLS towards PostgreSQL, with libpq's meaning of each mode. */
export type PostgresSslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';
export const POSTGRES_SSL_MODES: readonly PostgresSslMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];

export interface PostgresOptions {
  /** postgres://user:password@host:port/database?sslmode=…&sslrootcert=/path/ca.pem */
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Server-side limit for one statement, ms (default 5000); also bounds waiting for a row or advisory lock. */
  statementTimeoutMs?: number;
  /** Limit for opening a connection or waiting for a free one, ms (default 5000). */
  connectTimeoutMs?: number;
  /** Overrides the URL's sslmode. Default: the URL's sslmode, else disable. */
  sslMode?: PostgresSslMode;
  /** PEM text of the CA bundle that signed the server's certificate (overrides the URL's sslrootcert). */
  sslCa?: string;
  /** Shown in pg_stat_activity (default "tessera"). */
  applicationName?: string;
  /** Errors of idle or background connections (the pool reconnects by itself); default: ignored. */
  onBackgroundError?: (error: Error) => void;
}

/** The URL with its password replaced by ***, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

/** BIGINT (int8) arrives as a JS number: every int8 Tessera stores (epoch ms, cursors) is below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

function sslFrom(mode: PostgresSslMode, ca: string | undefined): ClientConfig['ssl'] {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      // libpq: encrypt, but do not check the certificate (unless a CA is given: then behave as verify-ca).
      return ca === undefined ? { rejectUnauthorized: false } : { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-ca':
      return { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: true };
  }
}

/**
 * The pg client settings for these options. TLS settings are taken out of the URL and applied here,
 * so `sslmode` keeps libpq's meaning (pg alone would treat `require` as `verify-full`).
 */
export function clientConfig(options: PostgresOptions): ClientConfig & { max: number; idleTimeoutMillis: number } {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new Error(`not a valid PostgreSQL URL: ${redactUrl(options.url)}`);
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error(`not a PostgreSQL URL: ${redactUrl(options.url)}`);
  const urlMode = parsed.searchParams.get('sslmode') ?? undefined;
  const rootCert = parsed.searchParams.get('sslrootcert') ?? undefined;
  for (const name of [...parsed.searchParams.keys()]) if (name.startsWith('ssl')) parsed.searchParams.delete(name);
  const mode = options.sslMode ?? urlMode ?? 'disable';
  if (!POSTGRES_SSL_MODES.includes(mode as PostgresSslMode)) {
    throw new Error(`sslmode "${mode}" is not supported; use one of ${POSTGRES_SSL_MODES.join(', ')}`);
  }
  const ca = options.sslCa ?? (rootCert !== undefined && rootCert !== 'system' ? readFileSync(rootCert, 'utf8') : undefined);
  const statementTimeout = options.statementTimeoutMs ?? 5000;
  return {
    connectionString: parsed.toString(),
    ssl: sslFrom(mode as PostgresSslMode, ca),
    max: options.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    statement_timeout: statementTimeout,
    // A transaction left open by a stuck caller must not hold the change-log lock for long.
    idle_in_transaction_session_timeout: Math.max(statementTimeout * 2, 1000),
    // Client-side bound as well: a vanished server answers nothing, so no server timeout fires.
    query_timeout: statementTimeout + 2000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: options.applicationName ?? 'tessera',
    types,
  };
}
