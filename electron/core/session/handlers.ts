import { CrmError } from '../../../shared/errors';
import { defineHandlers } from '../context';
import { findUserByLogin, toSessionUser } from '../users/store';
import { verifyPassword } from './password';

// A fixed hash to compare against when the login is unknown, so both failures take as long.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export const sessionHandlers = defineHandlers({
  'session.login': (input, ctx) => {
    const row = findUserByLogin(ctx.db, input.login);
    const ok = verifyPassword(input.password, row?.password_hash ?? DUMMY_HASH) && row !== null;
    if (!ok || !row) throw new CrmError('BAD_CREDENTIALS', 'Wrong login or password.');
    const user = toSessionUser(row);
    ctx.setSessionUser(user);
    return user;
  },
  'session.current': (_input, ctx) => ctx.user,
  'session.logout': (_input, ctx) => {
    ctx.setSessionUser(null);
    return { ok: true as const };
  },
});
