import {
  activationAt,
  isPublished,
  resolveConfig,
  revokeSigningKey,
  rotateKeysNow,
  rotationDueAt,
  systemClock,
  type KeyLifecycleDeps,
  type SigningAlgorithm,
  type SigningKeyRecord,
} from '@tessera/core';
import { authOptions } from '../../config/auth-options.js';
import { UsageError, printJson, stringOption, type Command, type CommandContext } from '../command.js';
import { withRuntime } from '../with-runtime.js';

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** A key as operators see it: state and the moments that matter, computed from the policy. */
function keyView(key: SigningKeyRecord, keys: SigningKeyRecord[], deps: KeyLifecycleDeps): Record<string, unknown> {
  const active = keys.find((k) => k.alg === key.alg && k.state === 'active');
  const now = deps.clock.now();
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    published: isPublished(key, now),
    createdAt: iso(key.createdAt),
    activatesAt: key.state === 'next' ? iso(activationAt(key, active, deps.policy)) : iso(key.activatedAt),
    retiresAt: key.state === 'active' ? iso(rotationDueAt(key, deps.policy)) : iso(key.retiredAt ?? key.revokedAt),
    removedAt: key.state === 'revoked' ? iso(key.revokedAt) : iso(key.removeAfter),
  };
}

// `rotateKeysNow` and `revokeSigningKey` run under the cluster-wide signing-keys lock (Store.exclusive,
// a PostgreSQL advisory lock), the same one as every instance's scheduled rotation and master-key
// rotation: a manual step and a scheduled one never interleave (cluster-key-rotation.test.ts).
async function withKeyDeps<T>(context: CommandContext, work: (deps: KeyLifecycleDeps) => Promise<T>): Promise<T> {
  return withRuntime(context, (runtime, admin) => {
    const config = resolveConfig(authOptions(runtime.config));
    return work({
      store: runtime.store,
      masterKey: runtime.masterKey,
      clock: systemClock,
      events: admin.events,
      policy: config.rotationPolicy,
      algorithms: config.signingAlgorithms,
    });
  });
}

function printKeys(context: CommandContext, views: Record<string, unknown>[]): void {
  if (context.json) return printJson(context.io, views);
  if (views.length === 0) return context.io.out('no keys');
  for (const v of views) {
    const when = v['state'] === 'next' ? `activates ${v['activatesAt']}` : v['state'] === 'active' ? `retires ${v['retiresAt']}` : `removed ${v['removedAt'] ?? '-'}`;
    context.io.out(`${v['kid']}  ${String(v['alg']).padEnd(5)}  ${String(v['state']).padEnd(7)}  created ${v['createdAt']}  ${when}`);
  }
}

export const keysListCommand: Command = {
  name: 'keys list',
  summary: 'List signing keys with their state and schedule',
  usage: 'tessera keys list [--json]',
  options: {},
  positionals: [],
  run: (context) =>
    withKeyDeps(context, async (deps) => {
      const keys = await deps.store.listSigningKeys();
      printKeys(context, keys.map((k) => keyView(k, keys, deps)));
      return 0;
    }),
};

export const keysRotateCommand: Command = {
  name: 'keys rotate',
  summary: 'Rotate now: the next key becomes active, a new next key is published',
  usage: 'tessera keys rotate [--alg ES256|EdDSA|RS256] [--json]',
  options: { alg: { type: 'string' } },
  positionals: [],
  run: (context) =>
    withKeyDeps(context, async (deps) => {
      const alg = stringOption(context, 'alg') as SigningAlgorithm | undefined;
      if (alg !== undefined && !deps.algorithms.includes(alg)) throw new UsageError(`--alg: ${alg} is not a configured signing algorithm`);
      const changed = await rotateKeysNow(deps, alg);
      const keys = await deps.store.listSigningKeys();
      printKeys(context, changed.map((k) => keyView(keys.find((x) => x.kid === k.kid) ?? k, keys, deps)));
      return 0;
    }),
};

export const keysRevokeCommand: Command = {
  name: 'keys revoke',
  summary: 'Emergency: withdraw a key at once and reject every token it signed',
  usage: 'tessera keys revoke KID [--json]',
  options: {},
  positionals: ['KID'],
  run: (context) =>
    withKeyDeps(context, async (deps) => {
      const changed = await revokeSigningKey(deps, context.positionals[0] ?? '');
      const keys = await deps.store.listSigningKeys();
      printKeys(context, changed.map((k) => keyView(keys.find((x) => x.kid === k.kid) ?? k, keys, deps)));
      return 0;
    }),
};
