import type { ParseArgsConfig } from 'node:util';
import type { ServerConfig } from '../config/load-config.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Reads all of standard input (for secrets passed with --…-stdin). */
  readStdin(): Promise<string>;
}

export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Settings resolved from flags, environment and config file. */
  loadConfig(): ServerConfig;
  io: CliIo;
  json: boolean;
}

/** One CLI command: its name, help text, options, and what it does. Returns the exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Names of the positional arguments it requires, in order. */
  positionals: string[];
  run(context: CommandContext): Promise<number>;
}

/** Bad input on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function stringOption(context: CommandContext, name: string): string | undefined {
  const value = context.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(context: CommandContext, name: string): string[] {
  const value = context.values[name];
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
