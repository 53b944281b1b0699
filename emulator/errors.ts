/**
 * Google-shaped errors.
 *
 * Source: "Handle API errors" (Calendar API guides) and "Errors" (Google Cloud API design guide):
 * `{error: {code, message, errors: [{domain, reason, message}], status}}`. Newer One Platform APIs
 * (People v1) also carry `details` with a `google.rpc.ErrorInfo`.
 */

const STATUS_BY_CODE: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'ALREADY_EXISTS',
  410: 'FAILED_PRECONDITION',
  412: 'FAILED_PRECONDITION',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export interface ErrorOptions {
  domain?: string;
  status?: string;
  location?: string;
  locationType?: string;
  headers?: Record<string, string>;
  details?: unknown[];
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly opts: ErrorOptions;

  constructor(code: number, reason: string, message: string, opts: ErrorOptions = {}) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.opts = opts;
  }

  body(): unknown {
    const item: Record<string, string> = { domain: this.opts.domain ?? 'global', reason: this.reason, message: this.message };
    if (this.opts.location) item.location = this.opts.location;
    if (this.opts.locationType) item.locationType = this.opts.locationType;
    const error: Record<string, unknown> = {
      code: this.code,
      message: this.message,
      errors: [item],
      status: this.opts.status ?? STATUS_BY_CODE[this.code] ?? 'UNKNOWN',
    };
    if (this.opts.details) error.details = this.opts.details;
    return { error };
  }
}

export const badRequest = (message: string, reason = 'invalid', opts: ErrorOptions = {}): ApiError =>
  new ApiError(400, reason, message, opts);

export const required = (message: string): ApiError => new ApiError(400, 'required', message);

export const notFound = (message = 'Not Found'): ApiError => new ApiError(404, 'notFound', message);

/** Errors of the OAuth endpoints are not API errors: RFC 6749 §5.2 `{error, error_description}`. */
export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  constructor(status: number, error: string, description: string) {
    super(description);
    this.status = status;
    this.error = error;
  }
}
