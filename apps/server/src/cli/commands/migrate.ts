import { migrateDatabase } from '../../database.js';
import { printJson, type Command } from '../command.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations (PostgreSQL: under a lock, safe while other instances start)',
  usage: 'tessera migrate [--database-url URL] [--json]',
  options: {},
  positionals: [],
  async run(context) {
    const { applied, version, where } = await migrateDatabase(context.loadConfig());
    if (context.json) printJson(context.io, { database: where, applied, version });
    else if (applied.length === 0) context.io.out(`${where}: schema is up to date (version ${version})`);
    else context.io.out(`${where}: applied migration${applied.length > 1 ? 's' : ''} ${applied.join(', ')}; schema is at version ${version}`);
    return 0;
  },
};
