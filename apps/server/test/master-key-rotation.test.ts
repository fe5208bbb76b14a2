import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MasterKey, createAuthServer, discardEvents } from '@tessera/core';
import { loadConfig } from 'tessera';
import { rotateMasterKey, type MasterKeyRotationStep } from '../dist/master-key-rotation.js';
import { openRuntime, StartupError } from '../dist/runtime.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-master-key-'));
after(() => rmSync(root, { recursive: true, force: true }));

const configFor = (dataDir: string, env: Record<string, string> = {}) =>
  loadConfig({}, { TESSERA_DATA_DIR: dataDir, TESSERA_ISSUER: 'http://localhost:4000', ...env });

/** Opens the data directory as the server would and proves the signing keys decrypt; returns the active kids. */
async function openAndUse(dataDir: string, env: Record<string, string> = {}): Promise<{ kids: string[]; notices: string[] }> {
  const runtime = await openRuntime(configFor(dataDir, env));
  try {
    const auth = await createAuthServer({ config: { issuer: 'http://localhost:4000' }, store: runtime.store, masterKey: runtime.masterKey });
    const kids = (JSON.parse(auth.jwksJson()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
    return { kids, notices: runtime.notices };
  } finally {
    await runtime.close();
  }
}

async function initialised(name: string, env: Record<string, string> = {}): Promise<{ dir: string; kids: string[] }> {
  const dir = join(root, name);
  const { kids } = await openAndUse(dir, env);
  return { dir, kids };
}

const steps: MasterKeyRotationStep[] = ['staged', 'reencrypted', 'promoted'];

for (const step of steps) {
  test(`master-key rotate interrupted after "${step}" leaves a store that opens with the same signing keys`, async () => {
    const template = await initialised(`template-${step}`);
    const dir = join(root, `interrupted-${step}`);
    cpSync(template.dir, dir, { recursive: true });
    const runtime = await openRuntime(configFor(dir));
    await assert.rejects(rotateMasterKey(runtime, discardEvents, { interruptAfter: step }), /interrupted/);
    await runtime.close();
    const reopened = await openAndUse(dir);
    assert.deepEqual(reopened.kids, template.kids);
    assert.equal(existsSync(join(dir, 'master.key.new')), step === 'staged', 'only a rotation stopped before its commit leaves the staged file');
    if (step === 'reencrypted') assert.ok(reopened.notices.some((n) => n.includes('interrupted master-key rotation')));
  });
}

test('master-key rotate completes: the key file changes, the old key no longer opens the store', async () => {
  const { dir, kids } = await initialised('complete');
  const oldKey = MasterKey.parse((await import('node:fs')).readFileSync(join(dir, 'master.key'), 'utf8'));
  const runtime = await openRuntime(configFor(dir));
  const result = await rotateMasterKey(runtime, discardEvents);
  await runtime.close();
  assert.equal(result.keyFile, join(dir, 'master.key'));
  assert.notEqual(result.newKey.toString(), oldKey.toString());
  assert.deepEqual((await openAndUse(dir)).kids, kids);
  await assert.rejects(openRuntime(configFor(dir, { TESSERA_MASTER_KEY: oldKey.toString() })), StartupError);
});

test('with TESSERA_MASTER_KEY the new key must be supplied, so it can never be lost', async () => {
  const first = MasterKey.generate().toString();
  const { dir, kids } = await initialised('from-env', { TESSERA_MASTER_KEY: first });
  const runtime = await openRuntime(configFor(dir, { TESSERA_MASTER_KEY: first }));
  await assert.rejects(rotateMasterKey(runtime, discardEvents), /new key/);
  const second = MasterKey.generate();
  await rotateMasterKey(runtime, discardEvents, { newKey: second });
  await runtime.close();
  assert.deepEqual((await openAndUse(dir, { TESSERA_MASTER_KEY: second.toString() })).kids, kids);
  await assert.rejects(openRuntime(configFor(dir, { TESSERA_MASTER_KEY: first })), StartupError);
});
