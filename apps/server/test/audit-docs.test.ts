import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { signWebhook } from 'tessera';

const repoFile = (path: string): string => readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');

test('docs/audit-events.md: one table row for every event type of the catalogue, and none that does not exist', () => {
  const source = repoFile('packages/core/src/audit/events.ts');
  const types = new Set([...source.matchAll(/type: '([a-z_]+\.[a-z_]+)'/g)].map((m) => m[1]));
  const doc = repoFile('docs/audit-events.md');
  const rows = [...doc.matchAll(/^\| `([a-z_]+\.[a-z_]+)` \|/gm)].map((m) => m[1]);
  assert.ok(types.size >= 28, `found ${types.size} types in events.ts`);
  for (const type of types) assert.ok(rows.includes(type), `docs/audit-events.md lacks a row for ${type}`);
  for (const row of rows) assert.ok(types.has(row), `docs/audit-events.md documents ${row}, which is not an event type`);
  assert.equal(new Set(rows).size, rows.length, 'each type once');
});

test('docs/alerts.md: the receiver verification example accepts a real signature and refuses a tampered one', async () => {
  const doc = repoFile('docs/alerts.md');
  const code = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(code, 'a js example');
  const module = (await import(`data:text/javascript,${encodeURIComponent(code)}`)) as {
    verifyTesseraSignature(secret: string, header: string, body: string): boolean;
  };
  const secret = 'receiver-secret-0123456789';
  const body = '{"type":"tessera.alert","alert":{"id":"tal_x"}}';
  const header = signWebhook(secret, body, Math.floor(Date.now() / 1000));
  assert.equal(module.verifyTesseraSignature(secret, header, body), true);
  assert.equal(module.verifyTesseraSignature(secret, header, body.replace('tal_x', 'tal_y')), false);
  assert.equal(module.verifyTesseraSignature(secret, signWebhook(secret, body, Math.floor(Date.now() / 1000) - 3600), body), false);
});
