import type Koa from 'koa';
import type { AppContext } from './context.ts';
import { errorTable, GuestSessionEndedError, HttpError, StoreUnavailableError, type ErrorCode } from './errors.ts';

/** Koa's own errors (from the router, cookies, the HTTP layer) mapped onto the one error table. */
const codeForStatus: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Turns every failure into `{"error": {"code", "message"}}`; unknown routes end here as 404 NOT_FOUND. */
export async function errorHandler(ctx: AppContext, next: Koa.Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) throw new HttpError('NOT_FOUND');
  } catch (error) {
    const { status, code, message } = describe(error);
    if (status >= 500) ctx.log.error({ err: error }, 'request failed');
    ctx.status = status;
    ctx.body = {
      error: { code, message, ...(error instanceof HttpError && error.details ? { details: error.details } : {}) },
    };
  }
}

function describe(error: unknown): { status: number; code: ErrorCode; message: string } {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof StoreUnavailableError) {
    return { status: 503, code: 'STORE_UNAVAILABLE', message: errorTable.STORE_UNAVAILABLE.message };
  }
  if (error instanceof GuestSessionEndedError) {
    return { status: 401, code: 'AUTH_SESSION_REQUIRED', message: errorTable.AUTH_SESSION_REQUIRED.message };
  }
  const status = (error as { status?: unknown }).status;
  const code = typeof status === 'number' ? codeForStatus[status] : undefined;
  if (code) return { status: errorTable[code].status, code, message: errorTable[code].message };
  return { status: 500, code: 'INTERNAL_ERROR', message: errorTable.INTERNAL_ERROR.message };
}
