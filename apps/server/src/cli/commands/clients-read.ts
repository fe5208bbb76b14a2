import { clientView, describeClient } from '../client-view.js';
import { UsageError, printJson, type Command } from '../command.js';
import { withRuntime } from '../with-runtime.js';

export const clientsListCommand: Command = {
  name: 'clients list',
  summary: 'List registered clients',
  usage: 'tessera clients list [--json]',
  options: {},
  positionals: [],
  async run(context) {
    const clients = await withRuntime(context, (runtime) => runtime.store.listClients());
    if (context.json) {
      printJson(context.io, clients.map((c) => clientView(c)));
      return 0;
    }
    if (clients.length === 0) {
      context.io.out('no clients');
      return 0;
    }
    for (const c of clients) {
      context.io.out(`${c.id}  ${c.disabled ? 'disabled' : 'enabled '}  ${c.authMethod.padEnd(19)}  ${c.name}`);
    }
    return 0;
  },
};

export const clientsShowCommand: Command = {
  name: 'clients show',
  summary: 'Show one client',
  usage: 'tessera clients show CLIENT_ID [--json]',
  options: {},
  positionals: ['CLIENT_ID'],
  async run(context) {
    const id = context.positionals[0] ?? '';
    const client = await withRuntime(context, (runtime) => runtime.store.getClient(id));
    if (!client) throw new UsageError(`no client with id "${id}"`);
    if (context.json) printJson(context.io, clientView(client));
    else context.io.out(describeClient(client));
    return 0;
  },
};
