import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoginOptions, SigningAlgorithm } from '@tessera/core';
import { isPostgresUrl, postgresConfig, type PostgresConfig } from './database.js';
import { SETTINGS, type SettingName, type Settings } from './settings.js';
import { defaultRateLimits, type RateLimitSettings } from '../rate-limit/limits.js';
import type { DetectorSetting } from '../security/detector-actions.js';

/** Every server setting resolved, with defaults applied. */
export interface ServerConfig {
  port: number;
  host: string;
  issuer: string;
  dataDir: string;
  masterKey: string | undefined;
  databasePath: string;
  logLevel: string;
  accessTokenTtl: number;
  maxAccessTokenTtl: number;
  signingAlgorithms: SigningAlgorithm[];
  syncIntervalMs: number;
  revocationHeartbeatMs: number;
  revocationMaxStreams: number;
  bodyLimit: number;
  requestTimeoutMs: number;
  trustProxy: boolean;
  demoClient: boolean;
  /** Set when TESSERA_DATABASE_URL is postgres(ql)://…; then `databasePath` is unused. */
  postgres: PostgresConfig | undefined;
  /** Apply pending migrations at start (TESSERA_AUTO_MIGRATE). */
  autoMigrate: boolean;
  jwksMaxAge: number;
  keyRotationInterval: number;
  keyPrePublication: number;
  keyRetirementMargin: number;
  /** Login features: code, refresh-token and session lifetimes, refresh grace window. */
  login?: LoginOptions;
  /** /metrics: its own listener when `port` is set; on the public port when only `token` is set; else off. */
  metrics?: { port: number | undefined; host: string; token: string | undefined };
  /** Audit log: batch flush interval and retention (TESSERA_AUDIT_FLUSH_INTERVAL, TESSERA_AUDIT_RETENTION). */
  audit?: { flushIntervalMs: number; retentionMs: number };
  /** Alert webhooks (TESSERA_ALERT_WEBHOOKS, TESSERA_ALERT_WEBHOOK_SECRET). */
  alerts?: { webhooks: string[]; webhookSecret: string | undefined };
  /** Rate limits (TESSERA_RATE_LIMIT*, TESSERA_REDIS_URL); docs/rate-limiting.md. */
  rateLimits?: RateLimitSettings;
  /** Anomaly detector actions by detector (TESSERA_DETECTOR_ACTIONS); docs/detectors.md. */
  detectorActions?: Record<string, DetectorSetting>;
}

/** A configuration mistake; the message names the setting and where it came from. */
export class ConfigSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigSourceError';
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigSourceError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigSourceError(`config file ${path} must contain a JSON object`);
  }
  const known = new Set(Object.values(SETTINGS).map((s) => s.key));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) throw new ConfigSourceError(`config file ${path}: unknown setting "${key}"`);
  }
  return parsed as Record<string, unknown>;
}

function parseSetting(name: SettingName, raw: string, source: string): unknown {
  try {
    return SETTINGS[name].parse(raw);
  } catch (error) {
    throw new ConfigSourceError(`${source}: ${(error as Error).message}`);
  }
}

/**
 * Merges flags, then environment variables, then the config file (`--config`, TESSERA_CONFIG or
 * ./tessera.json when present), then defaults. Every command calls this, so all honour the same names.
 */
export function loadConfig(flags: Partial<Record<string, string>>, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const configPath = flags['config'] ?? env['TESSERA_CONFIG'] ?? (existsSync('tessera.json') ? 'tessera.json' : undefined);
  const file = configPath ? readConfigFile(configPath) : {};
  const settings: Settings = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const spec = SETTINGS[name];
    const flag = flags[spec.flag];
    const fromEnv = env[spec.env];
    const fromFile = file[spec.key];
    let value: unknown;
    if (flag !== undefined) value = parseSetting(name, flag, `--${spec.flag}`);
    else if (fromEnv !== undefined && fromEnv !== '') value = parseSetting(name, fromEnv, spec.env);
    else if (fromFile !== undefined) {
      const raw = Array.isArray(fromFile) ? fromFile.join(',') : String(fromFile);
      value = parseSetting(name, raw, `config file "${spec.key}"`);
    }
    if (value !== undefined) (settings as Record<string, unknown>)[name] = value;
  }
  const port = settings.port ?? 4000;
  const dataDir = resolve(settings.dataDir ?? '.tessera');
  return {
    port,
    host: settings.host ?? '127.0.0.1',
    issuer: settings.issuer ?? `http://localhost:${port}`,
    dataDir,
    masterKey: settings.masterKey,
    databasePath: databasePath(settings.databaseUrl, dataDir),
    logLevel: settings.logLevel ?? 'info',
    accessTokenTtl: settings.accessTokenTtl ?? 600,
    maxAccessTokenTtl: settings.maxAccessTokenTtl ?? 3600,
    signingAlgorithms: settings.signingAlgorithms ?? ['ES256'],
    syncIntervalMs: Math.max(5, Math.round((settings.syncInterval ?? 0.01) * 1000)),
    revocationHeartbeatMs: Math.max(10, Math.round((settings.revocationHeartbeat ?? 15) * 1000)),
    revocationMaxStreams: settings.revocationMaxStreams ?? 1000,
    bodyLimit: settings.bodyLimit ?? 65_536,
    requestTimeoutMs: Math.max(1000, Math.round((settings.requestTimeout ?? 30) * 1000)),
    trustProxy: settings.trustProxy ?? false,
    demoClient: settings.demoClient ?? true,
    postgres: postgresConfig(settings),
    autoMigrate: settings.autoMigrate ?? true,
    jwksMaxAge: settings.jwksMaxAge ?? 300,
    keyRotationInterval: settings.keyRotationInterval ?? 30 * 86_400,
    keyPrePublication: settings.keyPrePublication ?? 86_400,
    keyRetirementMargin: settings.keyRetirementMargin ?? 300,
    metrics: { port: settings.metricsPort, host: settings.metricsHost ?? '127.0.0.1', token: settings.metricsToken },
    audit: { flushIntervalMs: Math.round((settings.auditFlushInterval ?? 1) * 1000), retentionMs: (settings.auditRetention ?? 90 * 86_400) * 1000 },
    alerts: alertSettings(settings),
    rateLimits: rateLimitSettings(settings),
    detectorActions: settings.detectorActions ?? {},
    login: {
      authorizationCodeTtl: settings.authorizationCodeTtl ?? 60,
      refreshTokenIdleTtl: settings.refreshTokenIdleTtl ?? 14 * 86_400,
      refreshTokenAbsoluteTtl: settings.refreshTokenAbsoluteTtl ?? 30 * 86_400,
      refreshGraceSeconds: settings.refreshGrace ?? 0,
      sessionIdleTtl: settings.sessionIdleTtl ?? 86_400,
      sessionAbsoluteTtl: settings.sessionAbsoluteTtl ?? 30 * 86_400,
    },
  };
}

function rateLimitSettings(settings: Settings): RateLimitSettings {
  const defaults = defaultRateLimits();
  return {
    enabled: settings.rateLimit ?? defaults.enabled,
    client: settings.rateLimitClient ?? defaults.client,
    ip: settings.rateLimitIp ?? defaults.ip,
    login: settings.rateLimitLogin ?? defaults.login,
    device: settings.rateLimitDevice ?? defaults.device,
    redisUrl: settings.redisUrl,
  };
}

function alertSettings(settings: Settings): { webhooks: string[]; webhookSecret: string | undefined } {
  const webhooks = settings.alertWebhooks ?? [];
  if (webhooks.length > 0 && settings.alertWebhookSecret === undefined) {
    throw new ConfigSourceError('TESSERA_ALERT_WEBHOOKS needs TESSERA_ALERT_WEBHOOK_SECRET: alert webhooks are always signed');
  }
  return { webhooks, webhookSecret: settings.alertWebhookSecret };
}

function databasePath(url: string | undefined, dataDir: string): string {
  if (url === undefined) return resolve(dataDir, 'tessera.db');
  if (url.startsWith('sqlite://')) {
    const path = url.slice('sqlite://'.length);
    if (path === '') throw new ConfigSourceError('TESSERA_DATABASE_URL: sqlite:// needs a file path');
    return resolve(path);
  }
  if (isPostgresUrl(url)) return resolve(dataDir, 'tessera.db');
  throw new ConfigSourceError(`TESSERA_DATABASE_URL: unsupported scheme in "${url.replace(/\/\/[^@/]*@/, '//***@')}"`);
}
