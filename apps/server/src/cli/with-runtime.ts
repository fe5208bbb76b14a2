import { AuditWriter, fanOutEvents, type ClientAdminDeps } from '@tessera/core';
import { logEventSink } from '../events-to-log.js';
import { createLogger } from '../logging.js';
import { openRuntime, type Runtime } from '../runtime.js';
import type { CommandContext } from './command.js';

/** Opens the configured data directory for one command and closes it afterwards. */
export async function withRuntime<T>(
  context: CommandContext,
  work: (runtime: Runtime, admin: ClientAdminDeps) => Promise<T>,
): Promise<T> {
  const config = context.loadConfig();
  const runtime = await openRuntime(config);
  // What the command changes (client created, secret rotated, key revoked…) goes to the audit log too,
  // written when the command ends.
  const audit = new AuditWriter({ store: runtime.store, flushIntervalMs: 60_000 });
  try {
    const logger = createLogger(config.logLevel, process.stderr);
    return await work(runtime, runtime.adminDeps(fanOutEvents(logEventSink(logger), audit)));
  } finally {
    await audit.close();
    await runtime.close();
  }
}
