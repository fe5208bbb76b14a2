import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, KeyLifecycleError, ValidationError } from '@tessera/core';
import { ConfigSourceError, loadConfig } from '../config/load-config.js';
import { SETTINGS } from '../config/settings.js';
import { StartupError } from '../runtime.js';
import { UsageError, type CliIo, type Command, type CommandContext } from './command.js';
import { alertsAckCommand, alertsListCommand } from './commands/alerts.js';
import { auditExportCommand, auditTailCommand } from './commands/audit.js';
import { clientsDeleteCommand, clientsDisableCommand, clientsEnableCommand, clientsRotateSecretCommand } from './commands/clients-change.js';
import { clientsCreateCommand } from './commands/clients-create.js';
import { clientsListCommand, clientsShowCommand } from './commands/clients-read.js';
import { keysListCommand, keysRevokeCommand, keysRotateCommand } from './commands/keys.js';
import { masterKeyRotateCommand } from './commands/master-key-rotate.js';
import { migrateCommand } from './commands/migrate.js';
import { serveCommand } from './commands/serve.js';
import { sessionsListCommand, sessionsRevokeCommand } from './commands/sessions.js';
import { tokensShowCommand } from './commands/tokens.js';
import {
  usersCreateCommand,
  usersDeleteCommand,
  usersDisableCommand,
  usersEnableCommand,
  usersListCommand,
  usersLogoutCommand,
  usersSetPasswordCommand,
  usersShowCommand,
} from './commands/users.js';

export const COMMANDS: readonly Command[] = [
  serveCommand,
  migrateCommand,
  clientsCreateCommand,
  clientsListCommand,
  clientsShowCommand,
  clientsDisableCommand,
  clientsEnableCommand,
  clientsDeleteCommand,
  clientsRotateSecretCommand,
  keysListCommand,
  keysRotateCommand,
  keysRevokeCommand,
  masterKeyRotateCommand,
  usersCreateCommand,
  usersListCommand,
  usersShowCommand,
  usersDisableCommand,
  usersEnableCommand,
  usersDeleteCommand,
  usersSetPasswordCommand,
  usersLogoutCommand,
  sessionsListCommand,
  sessionsRevokeCommand,
  auditTailCommand,
  auditExportCommand,
  tokensShowCommand,
  alertsListCommand,
  alertsAckCommand,
];

const GLOBAL_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  config: { type: 'string' },
  ...Object.fromEntries(Object.values(SETTINGS).map((s) => [s.flag, { type: 'string' as const }])),
};

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Tessera: short-lived tokens instead of long-term credentials.',
    '',
    'Usage: tessera <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "tessera <command> --help" for a command\'s options.',
    settingsHelp(),
  ].join('\n');
}

function settingsHelp(): string {
  const rows = Object.values(SETTINGS).map((s) => `  --${s.flag} (${s.env}, default ${s.defaultText})\n      ${s.description}`);
  return ['', 'Settings (flag, then environment variable, then config file --config/TESSERA_CONFIG/./tessera.json):', ...rows, '  --json  machine-readable output'].join('\n');
}

function findCommand(words: string[]): { command: Command; rest: string[] } | undefined {
  for (const length of [2, 1]) {
    const name = words.slice(0, length).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, rest: words.slice(length) };
  }
  return undefined;
}

/** Runs one CLI invocation and resolves with its exit code. Never throws for bad input. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  const words = argv.filter((a) => !a.startsWith('-')).slice(0, 2);
  const found = findCommand(words);
  if (!found) {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
      io.out(globalHelp());
      return argv.length === 0 ? 2 : 0;
    }
    io.err(`tessera: unknown command "${words.join(' ')}" (run "tessera --help")`);
    return 2;
  }
  const { command } = found;
  try {
    const nameWords = command.name.split(' ').length;
    parsed = parseArgs({
      args: argv.filter((a, i) => !(i < argv.length && words.slice(0, nameWords).includes(a) && argv.indexOf(a) === i)),
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.err(`tessera ${command.name}: ${(error as Error).message}`);
    return 2;
  }
  if (parsed.values['help'] === true) {
    io.out(`${command.summary}\n\nUsage: ${command.usage}${settingsHelp()}`);
    return 0;
  }
  if (parsed.positionals.length !== command.positionals.length) {
    const expected = command.positionals.length === 0 ? 'no arguments' : command.positionals.join(' ');
    io.err(`tessera ${command.name}: expected ${expected} (usage: ${command.usage.split('\n')[0]})`);
    return 2;
  }
  const flags: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.values)) if (typeof value === 'string') flags[key] = value;
  try {
    return await command.run({
      values: parsed.values as CommandContext["values"],
      positionals: parsed.positionals,
      loadConfig: () => loadConfig(flags, io.env),
      io,
      json: parsed.values['json'] === true,
    });
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof ValidationError ||
      error instanceof ConfigSourceError ||
      error instanceof ConfigError ||
      error instanceof KeyLifecycleError
    ) {
      io.err(`tessera ${command.name}: ${error.message}`);
      return 2;
    }
    if (error instanceof StartupError) {
      io.err(`tessera ${command.name}: ${error.message}`);
      return 1;
    }
    io.err(`tessera ${command.name}: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};
