/**
 * The one table of error codes. Every 4xx/5xx the server sends comes from here, so a code always means the same
 * status and clients can branch on it.
 */
export const errorTable = {
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  VALIDATION_FAILED: { status: 400, message: 'The request does not match the expected shape.' },
  AUTH_REQUIRED: { status: 401, message: 'Sign in first.' },
  AUTH_SESSION_REQUIRED: { status: 401, message: 'No live session: call GET /session first.' },
  AUTH_INVALID_CREDENTIALS: { status: 401, message: 'Email or password is wrong.' },
  AUTH_TOKEN_INVALID: { status: 401, message: 'The access token is malformed or its signature is wrong.' },
  AUTH_TOKEN_EXPIRED: { status: 401, message: 'The access token has expired.' },
  AUTH_SESSION_ENDED: { status: 401, message: 'The session of this access token has ended.' },
  REFRESH_TOKEN_INVALID: { status: 401, message: 'The refresh token is unknown, revoked or expired.' },
  REFRESH_TOKEN_REUSED: { status: 401, message: 'The refresh token was already used; its family is revoked.' },
  CSRF_TOKEN_INVALID: { status: 403, message: 'Missing or wrong x-csrf-token for this session.' },
  HTTPS_REQUIRED: { status: 403, message: 'Session cookies are Secure here: connect over HTTPS.' },
  NOT_FOUND: { status: 404, message: 'No such resource.' },
  UNKNOWN_SKU: { status: 404, message: 'No product with this SKU.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed on this resource.' },
  IDEMPOTENCY_CONFLICT: { status: 409, message: 'This Idempotency-Key was used for a different request.' },
  CART_EMPTY: { status: 409, message: 'The cart is empty.' },
  CART_LINE_LIMIT: { status: 409, message: 'The line would exceed the per-line quantity limit.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send the body as application/json.' },
  INTERNAL_ERROR: { status: 500, message: 'Unexpected server error.' },
  STORE_UNAVAILABLE: { status: 503, message: 'The session store is unavailable; retry later.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorTable;

export class HttpError extends Error {
  readonly status: number;
  readonly expose = true;
  constructor(
    readonly code: ErrorCode,
    message: string = errorTable[code].message,
    readonly details?: unknown,
  ) {
    super(message);
    this.status = errorTable[code].status;
  }
}

/** Thrown by stores when the backing service cannot be reached or does not answer in time. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Thrown by stores when a write to a guest cart finds its guest session gone (a login, logout or sweep ended it while
 * the request was under way): the write changed nothing.
 */
export class GuestSessionEndedError extends Error {
  constructor(readonly sessionId: string) {
    super(`guest session ${sessionId} has ended`);
  }
}

export function fail(code: ErrorCode, message?: string, details?: unknown): never {
  throw new HttpError(code, message, details);
}
