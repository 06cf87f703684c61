/** user create: accounts made from the command line, such as the first admin. */
import type { Role } from '../../app/ports.js';
import { logMailer } from '../../adapters/mail/mailer.js';
import { openStore } from '../../adapters/storage/open.js';
import { accountService } from '../compose.js';
import type { Config } from '../config.js';

export async function userCreateCommand(
  email: string,
  options: { admin?: boolean; moderator?: boolean; json?: boolean },
  config: Config,
): Promise<void> {
  const role: Role = options.admin ? 'admin' : options.moderator ? 'moderator' : 'user';
  const store = await openStore(config.dbPath, { mustExist: false });
  try {
    // No mail is sent here: the account signs in with an emailed link like any other.
    const accounts = accountService(
      store,
      logMailer(() => {}),
    );
    const user = await accounts.createUser(email, role);
    process.stdout.write(
      options.json
        ? `${JSON.stringify(user)}\n`
        : `${user.email} is ${role === 'admin' ? 'an' : 'a'} ${role} (id ${user.id})\n`,
    );
  } finally {
    await store.close();
  }
}

export async function userListCommand(
  options: { role?: Role; limit: number; json?: boolean },
  config: Config,
): Promise<void> {
  const store = await openStore(config.dbPath, { mustExist: true });
  try {
    const users = await store.listUsers({ role: options.role, limit: options.limit, offset: 0 });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ users })}\n`);
      return;
    }
    if (users.length === 0) {
      process.stdout.write(
        `No accounts${options.role ? ` with the role ${options.role}` : ''} yet: "openpapers user create <email> --admin" makes the first admin.\n`,
      );
      return;
    }
    const width = Math.max(...users.map((user) => user.email.length));
    for (const user of users) {
      process.stdout.write(
        `${user.email.padEnd(width)}  ${user.role.padEnd(9)}  since ${user.createdAt.slice(0, 10)}  ${user.votes} vote${user.votes === 1 ? '' : 's'}\n`,
      );
    }
  } finally {
    await store.close();
  }
}
