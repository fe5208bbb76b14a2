import { MasterKey } from '@tessera/core';
import { rotateMasterKey } from '../../master-key-rotation.js';
import { UsageError, printJson, type Command } from '../command.js';
import { withRuntime } from '../with-runtime.js';

export const masterKeyRotateCommand: Command = {
  name: 'master-key rotate',
  summary: 'Re-encrypt every signing key under a new master key, in one transaction',
  usage: 'tessera master-key rotate [--new-key-stdin] [--json]',
  options: { 'new-key-stdin': { type: 'boolean' } },
  positionals: [],
  async run(context) {
    let newKey: MasterKey | undefined;
    if (context.values['new-key-stdin'] === true) {
      try {
        newKey = MasterKey.parse(await context.io.readStdin());
      } catch (error) {
        throw new UsageError(`standard input: ${(error as Error).message}`);
      }
    }
    const result = await withRuntime(context, (runtime, admin) =>
      rotateMasterKey(runtime, admin.events, newKey === undefined ? {} : { newKey }),
    );
    if (context.json) {
      printJson(context.io, { keys: result.keys, keyFile: result.keyFile ?? null });
    } else if (result.keyFile) {
      context.io.out(`re-encrypted ${result.keys} signing keys; the new master key is in ${result.keyFile} (back it up)`);
    } else {
      context.io.out(`re-encrypted ${result.keys} signing keys; set TESSERA_MASTER_KEY to the new key before the next start`);
    }
    context.io.out('restart running servers so they load the new master key');
    return 0;
  },
};
