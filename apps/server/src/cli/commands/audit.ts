import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditQuery, AuditRecord } from '@tessera/core';
import { auditJsonLine, auditLine, parseTimeArg } from '../../audit/audit-format.js';
import { UsageError, stringOption, type Command, type CommandContext } from '../command.js';
import { withRuntime } from '../with-runtime.js';

const PAGE = 1000;
const FOLLOW_POLL_MS = 500;

function timeOption(context: CommandContext, name: string, now: number): number | undefined {
  const text = stringOption(context, name);
  if (text === undefined) return undefined;
  try {
    return parseTimeArg(name, text, now);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function countOption(context: CommandContext, name: string, fallback: number): number {
  const text = stringOption(context, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError(`--${name} must be an integer from 1 to 100000`);
  return n;
}

/** The filters shared by tail and export. */
function filters(context: CommandContext, now: number): Omit<AuditQuery, 'limit'> {
  const types = stringOption(context, 'type')?.split(',').map((t) => t.trim()).filter(Boolean);
  if (types && types.some((t) => !/^[a-z_]+\.[a-z_]+$/.test(t))) throw new UsageError('--type takes event types such as token.issued (comma-separated)');
  const since = timeOption(context, 'since', now);
  const until = timeOption(context, 'until', now);
  if (since !== undefined && until !== undefined && until <= since) throw new UsageError('--until must be later than --since');
  const query: Omit<AuditQuery, 'limit'> = {};
  if (since !== undefined) query.since = since;
  if (until !== undefined) query.until = until;
  const client = stringOption(context, 'client');
  const subject = stringOption(context, 'subject');
  const session = stringOption(context, 'session');
  const token = stringOption(context, 'token');
  if (client !== undefined) query.clientId = client;
  if (subject !== undefined) query.subject = subject;
  if (session !== undefined) query.sessionId = session;
  if (token !== undefined) query.tokenId = token;
  if (types) query.types = types;
  return query;
}

const FILTER_OPTIONS = {
  client: { type: 'string' },
  subject: { type: 'string' },
  session: { type: 'string' },
  token: { type: 'string' },
  type: { type: 'string' },
  since: { type: 'string' },
} as const;

/** Resolves when SIGINT or SIGTERM arrives (follow mode ends cleanly, exit 0). */
function untilSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

export const auditTailCommand: Command = {
  name: 'audit tail',
  summary: 'Show the latest audit events; -f keeps printing new ones',
  usage:
    'tessera audit tail [-f] [--client ID] [--subject S] [--session ID] [--token JTI] [--type T[,T…]] [--since 1h|ISO] [-n N] [--json]\n' +
    '    (--json prints one JSON object per line; -f polls twice a second until interrupted)',
  options: { ...FILTER_OPTIONS, follow: { type: 'boolean', short: 'f' }, lines: { type: 'string', short: 'n' } },
  positionals: [],
  async run(context) {
    const query = filters(context, Date.now());
    const lines = countOption(context, 'lines', 20);
    const follow = context.values['follow'] === true;
    const print = (records: AuditRecord[]): void => {
      for (const r of records) context.io.out(context.json ? auditJsonLine(r) : auditLine(r));
    };
    await withRuntime(context, async (runtime) => {
      const latest = await runtime.store.queryAuditEvents({ ...query, limit: lines, newest: true });
      print(latest);
      if (!follow) {
        if (latest.length === 0 && !context.json) context.io.err('no matching audit events');
        return;
      }
      let cursor = latest.at(-1)?.seq ?? 0;
      const stop = untilSignal();
      try {
        while (!stop.signal.aborted) {
          const next = await runtime.store.queryAuditEvents({ ...query, after: cursor, limit: PAGE });
          print(next);
          cursor = next.at(-1)?.seq ?? cursor;
          if (next.length < PAGE) await sleep(FOLLOW_POLL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
        }
      } finally {
        stop.dispose();
      }
    });
    return 0;
  },
};

export const auditExportCommand: Command = {
  name: 'audit export',
  summary: 'Export audit events of a time range as JSON lines',
  usage: 'tessera audit export --since 7d|ISO [--until ISO|duration] [--client ID] [--subject S] [--type T[,T…]] --format jsonl',
  options: { ...FILTER_OPTIONS, until: { type: 'string' }, format: { type: 'string' } },
  positionals: [],
  async run(context) {
    const format = stringOption(context, 'format') ?? 'jsonl';
    if (format !== 'jsonl') throw new UsageError(`--format "${format}" is not supported (use jsonl)`);
    if (stringOption(context, 'since') === undefined) throw new UsageError('--since is required (e.g. --since 7d or --since 2026-01-01)');
    const query = filters(context, Date.now());
    let count = 0;
    await withRuntime(context, async (runtime) => {
      let cursor = 0;
      for (;;) {
        const page = await runtime.store.queryAuditEvents({ ...query, after: cursor, limit: PAGE });
        for (const r of page) context.io.out(auditJsonLine(r));
        count += page.length;
        if (page.length < PAGE) break;
        cursor = page.at(-1)?.seq ?? cursor;
      }
    });
    context.io.err(`exported ${count} events`);
    return 0;
  },
};
