import { tokenHistory } from '@tessera/core';
import { UsageError, printJson, type Command } from '../command.js';
import { withRuntime } from '../with-runtime.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export const tokensShowCommand: Command = {
  name: 'tokens show',
  summary: "A token's life from the audit log: issued, refreshed from/into, introspected by, revoked by",
  usage: 'tessera tokens show JTI [--json]\n    (JTI is the token\'s jti claim; the token itself is never needed nor accepted)',
  options: {},
  positionals: ['JTI'],
  async run(context) {
    const jti = context.positionals[0] ?? '';
    if (jti.includes('.') && jti.length > 100) throw new UsageError('give the token\'s jti claim, not the token');
    const life = await withRuntime(context, (runtime) => tokenHistory(runtime.store, jti));
    if (!life) throw new UsageError(`no audit events for token "${jti}" (unknown, or older than the audit retention)`);
    if (context.json) {
      printJson(context.io, {
        ...life,
        entries: life.entries.map((e) => ({ seq: e.seq, at: iso(e.event.time), note: e.note, event: e.event })),
      });
      return 0;
    }
    const issued = life.issued;
    context.io.out(`token ${life.tokenId}`);
    if (issued) {
      context.io.out(`  client     ${issued.clientId ?? '-'}`);
      context.io.out(`  subject    ${issued.subject ?? '-'}`);
      context.io.out(`  grant      ${issued.grantType}`);
      context.io.out(`  scope      ${issued.scope || '-'}`);
      context.io.out(`  audience   ${issued.audience.join(' ')}`);
      context.io.out(`  issued     ${iso(issued.time)}${issued.ip ? ` from ${issued.ip}` : ''}`);
      context.io.out(`  expires    ${iso(issued.expiresAt)}`);
      if (issued.sessionId) context.io.out(`  session    ${issued.sessionId}`);
    } else context.io.out('  (its issue is not in the audit log any more)');
    if (life.familyId) context.io.out(`  family     ${life.familyId}`);
    if (life.refreshedFrom) context.io.out(`  refreshed from  ${life.refreshedFrom}`);
    if (life.refreshedInto) context.io.out(`  refreshed into  ${life.refreshedInto}`);
    context.io.out('history:');
    for (const e of life.entries) context.io.out(`  ${iso(e.event.time)}  ${e.note}${e.event.ip ? `  ip=${e.event.ip}` : ''}`);
    return 0;
  },
};
