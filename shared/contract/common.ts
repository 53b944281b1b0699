import { z } from 'zod';

export const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const IsoDateTime = z.iso.datetime({ offset: true });
export const IsoDate = z.iso.date();
export const HexColor = z.string().regex(/^#[0-9a-f]{6}$/i, 'must be a colour like #1a2b3c');
export const Empty = z.object({}).strict();
/** An e-mail address a user may also leave empty (RFC 5321 caps a path at 254 characters). */
export const OptionalEmail = z.union([z.literal(''), z.email({ error: 'must be a valid e-mail address' }).max(254)]);

/** What a channel requires of its caller; checked by the core before the handler runs. */
export type Access = 'public' | 'user' | 'admin';

export interface ChannelDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType, A extends Access = Access> {
  readonly input: I;
  readonly output: O;
  readonly access: A;
}

export function channel<A extends Access, I extends z.ZodType, O extends z.ZodType>(access: A, input: I, output: O): ChannelDef<I, O, A> {
  return { input, output, access };
}
