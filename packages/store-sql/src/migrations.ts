import type { SqlDriver } from './driver.js';

/**
 * Versioned migrations, one list for every dialect. Written in the SQL both SQLite and PostgreSQL
 * accept; `{{serial}}` stands for the dialect's auto-increment primary key. Times are epoch ms (BIGINT).
 */
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'core tables',
    sql: `
      CREATE TABLE clients (
        id TEXT PRIMARY KEY,
        created_at BIGINT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        state TEXT NOT NULL,
        public_jwk TEXT NOT NULL,
        encrypted_private_jwk TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        activated_at BIGINT,
        retired_at BIGINT,
        remove_after BIGINT,
        revoked_at BIGINT
      );
      CREATE TABLE changes (
        seq {{serial}},
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX changes_by_expiry ON changes (expires_at);
      CREATE TABLE one_time_values (
        namespace TEXT NOT NULL,
        id TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (namespace, id)
      );
      CREATE INDEX one_time_values_by_expiry ON one_time_values (expires_at);
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'login: users, sessions, consents, codes, refresh tokens, device codes',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username_key TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        ended_at BIGINT,
        doc TEXT NOT NULL
      );
      CREATE INDEX sessions_by_user ON sessions (user_id);
      CREATE TABLE consents (
        user_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (user_id, client_id)
      );
      CREATE TABLE authorization_codes (
        hash TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL,
        consumed_at BIGINT,
        doc TEXT NOT NULL
      );
      CREATE TABLE refresh_tokens (
        hash TEXT PRIMARY KEY,
        family_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        family_expires_at BIGINT NOT NULL,
        consumed_at BIGINT,
        revoked_at BIGINT,
        grace_response TEXT,
        grace_until BIGINT,
        doc TEXT NOT NULL
      );
      CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
      CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);
      CREATE TABLE device_codes (
        hash TEXT PRIMARY KEY,
        user_code TEXT NOT NULL UNIQUE,
        expires_at BIGINT NOT NULL,
        state TEXT NOT NULL,
        user_id TEXT,
        session_id TEXT,
        auth_time BIGINT,
        last_polled_at BIGINT,
        poll_interval INTEGER NOT NULL,
        doc TEXT NOT NULL
      )
    `,
  },
  {
    version: 3,
    name: 'audit log, alerts, webhook dead letters',
    sql: `
      CREATE TABLE audit_events (
        seq {{serial}},
        occurred_at BIGINT NOT NULL,
        type TEXT NOT NULL,
        client_id TEXT,
        subject TEXT,
        session_id TEXT,
        token_id TEXT,
        doc TEXT NOT NULL
      );
      CREATE INDEX audit_events_by_time ON audit_events (occurred_at);
      CREATE INDEX audit_events_by_client ON audit_events (client_id, seq);
      CREATE INDEX audit_events_by_subject ON audit_events (subject, seq);
      CREATE INDEX audit_events_by_session ON audit_events (session_id, seq);
      CREATE INDEX audit_events_by_token ON audit_events (token_id, seq);
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        raised_at BIGINT NOT NULL,
        acked_at BIGINT,
        acked_by TEXT,
        doc TEXT NOT NULL
      );
      CREATE INDEX alerts_by_time ON alerts (raised_at);
      CREATE TABLE webhook_dead_letters (
        id TEXT PRIMARY KEY,
        failed_at BIGINT NOT NULL,
        doc TEXT NOT NULL
      )
    `,
  },
];

/** Applies every migration not yet applied, each in its own transaction. Returns the versions applied. */
export async function migrate(driver: SqlDriver, now: number): Promise<number[]> {
  await driver.run(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
  );
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await driver.transaction(async (tx) => {
      const rows = await tx.all('SELECT version FROM schema_migrations WHERE version = ?', [migration.version]);
      if (rows.length > 0) return false;
      const sql = migration.sql.replaceAll('{{serial}}', driver.types.serialPrimaryKey);
      for (const statement of sql.split(';').map((s) => s.trim()).filter(Boolean)) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        now,
      ]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}

/** The newest schema version this code knows; a database newer than this is refused. */
export const LATEST_SCHEMA_VERSION = Math.max(...migrations.map((m) => m.version));
