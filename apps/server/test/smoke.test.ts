import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS } from 'tessera';

test('the CLI knows the serve command', () => {
  assert.ok(COMMANDS.some((c) => c.name === 'serve'));
});
