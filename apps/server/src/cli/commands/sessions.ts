import { findUser, revokeSession } from '@tessera/core';
import { UsageError, printJson, stringOption, type Command } from '../command.js';
import { sessionView } from '../user-view.js';
import { withUsers } from './users.js';

export const sessionsListCommand: Command = {
  name: 'sessions list',
  summary: 'List open login sessions',
  usage: 'tessera sessions list [--user USER] [--json]',
  options: { user: { type: 'string' } },
  positionals: [],
  async run(context) {
    const rows = await withUsers(context, async (deps) => {
      const filter = stringOption(context, 'user');
      const userId = filter === undefined ? undefined : (await findUser(deps, filter)).id;
      const sessions = await deps.store.listSessions(deps.clock.now(), userId);
      const names = new Map<string, string>();
      for (const s of sessions) {
        if (!names.has(s.userId)) names.set(s.userId, (await deps.store.getUser(s.userId))?.username ?? '?');
      }
      return sessions.map((s) => sessionView(s, names.get(s.userId)));
    });
    if (context.json) printJson(context.io, rows);
    else if (rows.length === 0) context.io.out('no open sessions');
    else for (const r of rows) context.io.out(`${String(r['id'])}  ${String(r['username'])}  since ${String(r['authTime'])}  last seen ${String(r['lastSeenAt'])}  ${String(r['ip'] ?? '')}`.trimEnd());
    return 0;
  },
};

export const sessionsRevokeCommand: Command = {
  name: 'sessions revoke',
  summary: 'End a login session and revoke its tokens',
  usage: 'tessera sessions revoke SESSION_ID [--json]',
  options: {},
  positionals: ['SESSION_ID'],
  async run(context) {
    const id = context.positionals[0] ?? '';
    const ended = await withUsers(context, (deps) => revokeSession(deps, id, 'admin'));
    if (!ended) throw new UsageError(`no open session "${id}"`);
    if (context.json) printJson(context.io, { revoked: id });
    else context.io.out(`ended session ${id}; its tokens are revoked (a running server applies this within a second)`);
    return 0;
  },
};
