import { deleteClient, disableClient, enableClient, rotateClientSecret } from '@tessera/core';
import { parseDurationSeconds } from '../../config/durations.js';
import { clientView } from '../client-view.js';
import { UsageError, printJson, stringOption, type Command } from '../command.js';
import { withRuntime } from '../with-runtime.js';

const LIVE_NOTE = 'a running server applies this within a second';

export const clientsDisableCommand: Command = {
  name: 'clients disable',
  summary: 'Disable a client and revoke every token it holds',
  usage: 'tessera clients disable CLIENT_ID [--json]',
  options: {},
  positionals: ['CLIENT_ID'],
  async run(context) {
    const client = await withRuntime(context, (_r, admin) => disableClient(admin, context.positionals[0] ?? ''));
    if (context.json) printJson(context.io, clientView(client));
    else context.io.out(`disabled ${client.id}; its tokens are revoked (${LIVE_NOTE})`);
    return 0;
  },
};

export const clientsEnableCommand: Command = {
  name: 'clients enable',
  summary: 'Enable a disabled client (tokens revoked earlier stay revoked)',
  usage: 'tessera clients enable CLIENT_ID [--json]',
  options: {},
  positionals: ['CLIENT_ID'],
  async run(context) {
    const client = await withRuntime(context, (_r, admin) => enableClient(admin, context.positionals[0] ?? ''));
    if (context.json) printJson(context.io, clientView(client));
    else context.io.out(`enabled ${client.id}`);
    return 0;
  },
};

export const clientsDeleteCommand: Command = {
  name: 'clients delete',
  summary: 'Delete a client and revoke its tokens',
  usage: 'tessera clients delete CLIENT_ID [--json]',
  options: {},
  positionals: ['CLIENT_ID'],
  async run(context) {
    const id = context.positionals[0] ?? '';
    await withRuntime(context, (_r, admin) => deleteClient(admin, id));
    if (context.json) printJson(context.io, { deleted: id });
    else context.io.out(`deleted ${id}`);
    return 0;
  },
};

export const clientsRotateSecretCommand: Command = {
  name: 'clients rotate-secret',
  summary: 'Issue a new client secret; the old one keeps working for the grace period',
  usage: 'tessera clients rotate-secret CLIENT_ID [--grace 24h] [--json]',
  options: { grace: { type: 'string' } },
  positionals: ['CLIENT_ID'],
  async run(context) {
    const graceText = stringOption(context, 'grace') ?? '0s';
    let grace: number;
    try {
      grace = parseDurationSeconds(graceText);
    } catch (error) {
      throw new UsageError(`--grace: ${(error as Error).message}`);
    }
    const { client, secret } = await withRuntime(context, (_r, admin) =>
      rotateClientSecret(admin, context.positionals[0] ?? '', Math.round(grace)),
    );
    if (context.json) {
      printJson(context.io, { client: clientView(client), client_secret: secret, grace_seconds: Math.round(grace) });
    } else {
      context.io.out(`client_secret: ${secret}\n(shown only this once: store it now)`);
      context.io.out(grace > 0 ? `the previous secret keeps working for ${graceText}` : 'the previous secret no longer works');
    }
    return 0;
  },
};
