/** A target the suites cannot use (unreachable, or not speaking the contract); the message says what to do. */
export class TargetError extends Error {}

/** Why a fetch failed and what to do about it, in words: undici only says "fetch failed" and hides the cause. */
export function fetchFailure(error: unknown): { reason: string; hint: string } {
  const running = 'is the server running, on that host and port?';
  if (error instanceof Error && error.name === 'TimeoutError') return { reason: 'no answer in time', hint: running };
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'no such host',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
  };
  if (code !== undefined && reasons[code]) return { reason: reasons[code], hint: running };
  if (code === 'ERR_INVALID_URL') return { reason: 'not a URL', hint: 'give a base URL such as http://127.0.0.1:3000' };
  const message = cause instanceof Error ? cause.message : String(cause);
  if (message === 'bad port')
    return { reason: "a port fetch never connects to (the Fetch standard's blocked ports)", hint: 'use another port' };
  return { reason: message, hint: running };
}
