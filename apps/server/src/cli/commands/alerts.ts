import { userInfo } from 'node:os';
import { alertLine, alertView } from '../../audit/audit-format.js';
import { UsageError, printJson, stringOption, type Command } from '../command.js';
import { withRuntime } from '../with-runtime.js';

function operator(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env['USER'] ?? 'cli';
  }
}

export const alertsListCommand: Command = {
  name: 'alerts list',
  summary: 'List security alerts, newest first',
  usage: 'tessera alerts list [--unacked] [--limit N] [--json]',
  options: { unacked: { type: 'boolean' }, limit: { type: 'string' } },
  positionals: [],
  async run(context) {
    const limitText = stringOption(context, 'limit') ?? '100';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be an integer from 1 to 100000');
    const unacked = context.values['unacked'] === true;
    const alerts = await withRuntime(context, (runtime) => runtime.store.listAlerts({ unacked, limit }));
    if (context.json) printJson(context.io, alerts.map(alertView));
    else if (alerts.length === 0) context.io.out(unacked ? 'no unacknowledged alerts' : 'no alerts');
    else for (const alert of alerts) context.io.out(alertLine(alert));
    return 0;
  },
};

export const alertsAckCommand: Command = {
  name: 'alerts ack',
  summary: 'Acknowledge a security alert',
  usage: 'tessera alerts ack ALERT_ID [--json]',
  options: {},
  positionals: ['ALERT_ID'],
  async run(context) {
    const id = context.positionals[0] ?? '';
    const by = operator(context.io.env);
    const result = await withRuntime(context, async (runtime) => {
      const acked = await runtime.store.ackAlert(id, Date.now(), by);
      return { acked, alert: await runtime.store.getAlert(id) };
    });
    if (!result.alert) throw new UsageError(`no alert "${id}"`);
    if (context.json) printJson(context.io, { acked: result.acked, alert: alertView(result.alert) });
    else if (result.acked) context.io.out(`acknowledged ${id}`);
    else context.io.out(`${id} was already acknowledged at ${new Date(result.alert.ackedAt ?? 0).toISOString()} by ${result.alert.ackedBy ?? '?'}`);
    return 0;
  },
};
