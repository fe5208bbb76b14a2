import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { SETTINGS } from 'tessera';

const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
const tableRows = readme.split('\n').filter((line) => line.startsWith('| `TESSERA_'));

test('the README configuration table documents every setting with its flag and config-file key', () => {
  for (const spec of Object.values(SETTINGS)) {
    const row = tableRows.find((line) => line.startsWith(`| \`${spec.env}\` `));
    assert.ok(row, `README lacks a row for ${spec.env}`);
    assert.ok(row.includes(`\`--${spec.flag}\``), `README row of ${spec.env} should name --${spec.flag}`);
    assert.ok(row.includes(`\`${spec.key}\``), `README row of ${spec.env} should name the config key ${spec.key}`);
  }
});

test('the README documents no setting the server does not read', () => {
  const known = new Set(Object.values(SETTINGS).map((spec) => spec.env));
  for (const row of tableRows) {
    const env = /^\| `(TESSERA_[A-Z0-9_]+)`/.exec(row)?.[1];
    assert.ok(env && known.has(env), `README documents ${env ?? row}, which is not a setting`);
  }
});
