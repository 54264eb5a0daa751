/**
 * The cookies one simulated client holds: enough of RFC 6265 for a load generator that talks to one origin
 * (name=value pairs, later Set-Cookie lines replace earlier ones, an expired or emptied cookie is dropped).
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Takes the Set-Cookie lines of one response. */
  store(setCookieLines: readonly string[]): void {
    for (const line of setCookieLines) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || attributes.some(isExpiry)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  /** The Cookie request header, or undefined while the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function isExpiry(attribute: string): boolean {
  const [name = '', value = ''] = attribute.split('=').map((part) => part.trim());
  if (/^max-age$/i.test(name)) return Number(value) <= 0;
  if (/^expires$/i.test(name)) return Date.parse(value) <= Date.now();
  return false;
}
