/** Tessera itself, started the way an operator would: the CLI, a fresh data directory, one client. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup, startChild } from '../lib/children.mjs';
import { freePort } from '../lib/http.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'apps/server/bin/tessera.js');
const { version } = JSON.parse(readFileSync(join(root, 'apps/server/package.json'), 'utf8'));

/** The parent's environment without TESSERA_* settings, so nothing from the shell changes the setup. */
function cleanEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TESSERA_')));
  return { ...env, ...extra };
}

/**
 * Rate limits stay on (and are evaluated on every request) but so high that the benchmark never hits
 * them: the `tessera` target measures Tessera as deployed, limits included. `tessera-nolimits` is the
 * same with TESSERA_RATE_LIMIT=false; the two side by side (interleaved) give the limits' overhead.
 */
const LIMITS_ON_NOT_TRIGGERED = { TESSERA_RATE_LIMIT: 'true', TESSERA_RATE_LIMIT_CLIENT: '100000000/s', TESSERA_RATE_LIMIT_IP: '100000000/s' };
const LIMITS_OFF = { TESSERA_RATE_LIMIT: 'false' };

function tesseraTarget({ id, label, limits, limitsNote }) {
  return {
    id,
    label,
    async start() {
      const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
      onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
      // cwd is the temporary directory, so no tessera.json lying around in the repository is picked up.
      const env = cleanEnv({ TESSERA_DATA_DIR: dataDir, TESSERA_DEMO_CLIENT: 'false', TESSERA_LOG_LEVEL: 'warn', ...limits });
      const created = JSON.parse(
        execFileSync(
          process.execPath,
          [bin, 'clients', 'create', '--name', 'bench', '--scope', 'read', '--audience', 'https://api.example.com', '--json'],
          { env, cwd: dataDir, encoding: 'utf8' },
        ),
      );
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const { pid } = await startChild(id, [bin, 'serve', '--port', String(port), '--host', '127.0.0.1', '--issuer', url], {
        env,
        cwd: dataDir,
        readyUrl: `${url}/healthz`,
      });
      return {
        id: this.id,
        label: this.label,
        pid,
        url,
        client: { id: created.client.id, secret: created.client_secret },
        paths: { token: '/token', introspection: '/introspect', jwks: '/jwks' },
        tokenParams: { grant_type: 'client_credentials', scope: 'read' },
        introspectedTokenParams: { grant_type: 'client_credentials', scope: 'read' },
        introspectedTokenKind: 'jwt',
        signsTokens: true,
        setup: [
          '`node apps/server/bin/tessera.js serve` on a fresh temporary data directory (SQLite, ES256 key created on first start)',
          'TESSERA_DEMO_CLIENT=false, TESSERA_LOG_LEVEL=warn, defaults otherwise (verified-token cache 10,000 entries)',
          limitsNote,
          'one client from `tessera clients create --name bench --scope read --audience https://api.example.com` (client_secret_basic)',
        ],
      };
    },
  };
}

export default tesseraTarget({
  id: 'tessera',
  label: `Tessera ${version}`,
  limits: LIMITS_ON_NOT_TRIGGERED,
  limitsNote: 'rate limits on but never reached (TESSERA_RATE_LIMIT_CLIENT and _IP = 100000000/s)',
});

export const tesseraNoLimits = tesseraTarget({
  id: 'tessera-nolimits',
  label: `Tessera ${version} (rate limits off)`,
  limits: LIMITS_OFF,
  limitsNote: 'TESSERA_RATE_LIMIT=false: the baseline for the rate limits\' overhead',
});
