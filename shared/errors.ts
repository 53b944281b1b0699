import { z } from 'zod';

/**
 * Every failure that crosses a transport has one of these codes. The renderer translates the
 * code (and `field`) for the user; `message` is a plain English sentence for logs and the CLI.
 */
export const ErrorCode = z.enum([
  'BAD_INPUT',
  'UNKNOWN_CHANNEL',
  'UNAUTHENTICATED',
  'BAD_CREDENTIALS',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorPayload = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Dotted path of the offending input field, for BAD_INPUT. */
  field: z.string().optional(),
});
export type ErrorPayload = z.infer<typeof ErrorPayload>;

/** Thrown by the core, carried as-is by every transport. */
export class CrmError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'CrmError';
    this.code = code;
    this.field = field;
  }

  toPayload(): ErrorPayload {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

/** Turns a zod failure into one clear message that names the first offending field. */
export function describeZodError(error: z.ZodError, root = 'input'): { message: string; field: string } {
  const issue = error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : root;
  const detail = issue ? issue.message : 'is invalid';
  return { message: `${path}: ${detail}`, field: path };
}
