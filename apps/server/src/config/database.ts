import { readFileSync } from 'node:fs';
import { postgresClientConfig, redactUrl, type PostgresOptions, type PostgresSslMode } from '@tessera/store-sql';
import { ConfigSourceError } from './load-config.js';
import type { Settings } from './settings.js';

/** PostgreSQL settings, resolved; the URL may hold a password: show it only through `redactUrl`. */
export interface PostgresConfig {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  sslMode: PostgresSslMode | undefined;
  /** PEM text read from TESSERA_DATABASE_SSL_CA. */
  sslCa: string | undefined;
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);

/** The PostgreSQL settings when TESSERA_DATABASE_URL names PostgreSQL; undefined for SQLite. Fails fast on a bad value. */
export function postgresConfig(settings: Settings): PostgresConfig | undefined {
  const url = settings.databaseUrl;
  if (url === undefined || !isPostgresUrl(url)) return undefined;
  let sslCa: string | undefined;
  if (settings.databaseSslCa !== undefined) {
    try {
      sslCa = readFileSync(settings.databaseSslCa, 'utf8');
    } catch (error) {
      throw new ConfigSourceError(`TESSERA_DATABASE_SSL_CA: cannot read ${settings.databaseSslCa}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  const config: PostgresConfig = {
    url,
    poolSize: settings.databasePoolSize ?? 10,
    statementTimeoutMs: Math.max(1, Math.round((settings.databaseStatementTimeout ?? 5) * 1000)),
    connectTimeoutMs: Math.max(1, Math.round((settings.databaseConnectTimeout ?? 5) * 1000)),
    sslMode: settings.databaseSslMode,
    sslCa,
  };
  try {
    postgresClientConfig(postgresOptions(config));
  } catch (error) {
    throw new ConfigSourceError(`TESSERA_DATABASE_URL: ${(error as Error).message.replaceAll(url, redactUrl(url))}`);
  }
  return config;
}

/** The store-sql options for these settings. */
export function postgresOptions(config: PostgresConfig, onBackgroundError?: (error: Error) => void): PostgresOptions {
  return {
    url: config.url,
    poolSize: config.poolSize,
    statementTimeoutMs: config.statementTimeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    ...(config.sslMode === undefined ? {} : { sslMode: config.sslMode }),
    ...(config.sslCa === undefined ? {} : { sslCa: config.sslCa }),
    ...(onBackgroundError === undefined ? {} : { onBackgroundError }),
  };
}
