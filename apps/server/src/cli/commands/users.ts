import {
  createUser,
  deleteUser,
  disableUser,
  enableUser,
  findUser,
  logoutUser,
  setUserPassword,
  type UserAdminDeps,
} from '@tessera/core';
import { argon2idHasher } from '../../password-hasher.js';
import type { Runtime } from '../../runtime.js';
import { UsageError, printJson, stringOption, type Command, type CommandContext } from '../command.js';
import { describeUser, userView } from '../user-view.js';
import { withRuntime } from '../with-runtime.js';

const LIVE_NOTE = 'a running server applies this within a second';

/** Runs `work` with the user-admin dependencies of the configured data directory. */
export function withUsers<T>(context: CommandContext, work: (deps: UserAdminDeps, runtime: Runtime) => Promise<T>): Promise<T> {
  return withRuntime(context, (runtime, admin) => work({ ...admin, hasher: argon2idHasher }, runtime));
}

async function readPassword(context: CommandContext): Promise<string> {
  const text = await context.io.readStdin();
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new UsageError('no password on standard input');
  return password;
}

export const usersCreateCommand: Command = {
  name: 'users create',
  summary: 'Create a user who can log in on the hosted pages',
  usage: 'tessera users create USERNAME [--email ADDRESS] [--name "Full Name"] [--password-stdin] [--json]\n' +
    '    (without --password-stdin the user has no password and cannot log in until set-password)',
  options: { email: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  positionals: ['USERNAME'],
  async run(context) {
    const password = context.values['password-stdin'] === true ? await readPassword(context) : null;
    const user = await withUsers(context, (deps) =>
      createUser(deps, {
        username: context.positionals[0] ?? '',
        email: stringOption(context, 'email') ?? null,
        name: stringOption(context, 'name') ?? null,
        password,
      }),
    );
    if (context.json) printJson(context.io, userView(user));
    else context.io.out(describeUser(user));
    return 0;
  },
};

export const usersListCommand: Command = {
  name: 'users list',
  summary: 'List users',
  usage: 'tessera users list [--json]',
  options: {},
  positionals: [],
  async run(context) {
    const users = await withUsers(context, (deps) => deps.store.listUsers());
    if (context.json) printJson(context.io, users.map(userView));
    else if (users.length === 0) context.io.out('no users');
    else for (const u of users) context.io.out(`${u.id}  ${u.username}  ${u.disabled ? 'disabled' : 'enabled'}  ${u.email ?? ''}`.trimEnd());
    return 0;
  },
};

export const usersShowCommand: Command = {
  name: 'users show',
  summary: 'Show one user (by username or id)',
  usage: 'tessera users show USER [--json]',
  options: {},
  positionals: ['USER'],
  async run(context) {
    const user = await withUsers(context, (deps) => findUser(deps, context.positionals[0] ?? ''));
    if (context.json) printJson(context.io, userView(user));
    else context.io.out(describeUser(user));
    return 0;
  },
};

export const usersDisableCommand: Command = {
  name: 'users disable',
  summary: 'Disable a user: no more logins, every session ends and every token is revoked',
  usage: 'tessera users disable USER [--json]',
  options: {},
  positionals: ['USER'],
  async run(context) {
    const user = await withUsers(context, (deps) => disableUser(deps, context.positionals[0] ?? ''));
    if (context.json) printJson(context.io, userView(user));
    else context.io.out(`disabled ${user.username} (${user.id}); their sessions ended and their tokens are revoked (${LIVE_NOTE})`);
    return 0;
  },
};

export const usersEnableCommand: Command = {
  name: 'users enable',
  summary: 'Enable a disabled user (tokens revoked earlier stay revoked)',
  usage: 'tessera users enable USER [--json]',
  options: {},
  positionals: ['USER'],
  async run(context) {
    const user = await withUsers(context, (deps) => enableUser(deps, context.positionals[0] ?? ''));
    if (context.json) printJson(context.io, userView(user));
    else context.io.out(`enabled ${user.username} (${user.id})`);
    return 0;
  },
};

export const usersDeleteCommand: Command = {
  name: 'users delete',
  summary: 'Delete a user, end their sessions and revoke their tokens',
  usage: 'tessera users delete USER [--json]',
  options: {},
  positionals: ['USER'],
  async run(context) {
    const user = await withUsers(context, (deps) => deleteUser(deps, context.positionals[0] ?? ''));
    if (context.json) printJson(context.io, { deleted: user.id, username: user.username });
    else context.io.out(`deleted ${user.username} (${user.id})`);
    return 0;
  },
};

export const usersSetPasswordCommand: Command = {
  name: 'users set-password',
  summary: 'Set a user\'s password, read from standard input',
  usage: 'echo "$PASSWORD" | tessera users set-password USER [--logout] [--json]\n' +
    '    --logout also ends every session and revokes every token of the user',
  options: { logout: { type: 'boolean' }, 'password-stdin': { type: 'boolean' } },
  positionals: ['USER'],
  async run(context) {
    const password = await readPassword(context);
    const logout = context.values['logout'] === true;
    const user = await withUsers(context, (deps) => setUserPassword(deps, context.positionals[0] ?? '', password, logout));
    if (context.json) printJson(context.io, userView(user));
    else context.io.out(`password set for ${user.username}${logout ? '; every session ended and every token revoked' : ''}`);
    return 0;
  },
};

export const usersLogoutCommand: Command = {
  name: 'users logout',
  summary: 'Log a user out everywhere: end every session and revoke every token',
  usage: 'tessera users logout USER [--json]',
  options: {},
  positionals: ['USER'],
  async run(context) {
    const user = await withUsers(context, (deps) => logoutUser(deps, context.positionals[0] ?? ''));
    if (context.json) printJson(context.io, { loggedOut: user.id, username: user.username });
    else context.io.out(`logged out ${user.username} everywhere (${LIVE_NOTE})`);
    return 0;
  },
};
