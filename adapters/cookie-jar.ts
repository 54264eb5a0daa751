/**
 * The cookies one simulated user agent holds for one origin: enough of RFC 6265 for a test client (name=value
 * pairs, a later Set-Cookie line replaces an earlier one, an expired or emptied cookie leaves the jar). Plain code
 * with no Node modules, so the same rules run in the property runner, the load scenarios and k6.
 */
export type Cookies = Map<string, string>;

/** Takes the Set-Cookie lines of one response into `cookies`. */
export function storeCookies(cookies: Cookies, setCookieLines: readonly string[]): void {
  for (const line of setCookieLines) {
    const [pair = '', ...attributes] = line.split(';');
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (value === '' || attributes.some(isExpiry)) cookies.delete(name);
    else cookies.set(name, value);
  }
}

/** The Cookie request header, or undefined while the jar is empty. */
export function cookieHeader(cookies: Cookies): string | undefined {
  if (cookies.size === 0) return undefined;
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

function isExpiry(attribute: string): boolean {
  const [name = '', value = ''] = attribute.split('=').map((part) => part.trim());
  if (/^max-age$/i.test(name)) return Number(value) <= 0;
  if (/^expires$/i.test(name)) return Date.parse(value) <= Date.now();
  return false;
}

/** A jar as an object, for code that keeps one per client. */
export class CookieJar {
  readonly cookies: Cookies = new Map();

  store(setCookieLines: readonly string[]): void {
    storeCookies(this.cookies, setCookieLines);
  }

  header(): string | undefined {
    return cookieHeader(this.cookies);
  }
}
