/**
 * A browser without a browser, for sign-in tests: fetch with manual redirects and a cookie jar for one
 * host, which follows the provider's redirects, fills its sign-in form and stops where the provider
 * sends the browser back to the site (the callback is the test's to call).
 */

const MAX_STEPS = 12;

/** Cookies of one host (paths are ignored: every test server here is one origin). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=.*1970/i.test(a));
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookies = this.header();
    if (cookies) headers.set('cookie', cookies);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.keep(response);
    return response;
  }
}

/** The `name=value` part of a Set-Cookie value, as the browser sends it back. */
export function cookiePair(setCookie: string | undefined): string {
  return setCookie?.split(';')[0] ?? '';
}

export interface ProviderVisit {
  /** Where the provider sent the browser back: the site's callback with code, state and iss. */
  callback: URL;
  /** Each page the browser was shown on the way (status and HTML). */
  pages: { status: number; html: string }[];
}

/**
 * Opens `authorizationUrl`, signs in as `email` on the provider's form, and follows redirects until
 * the provider sends the browser to `callbackPrefix`.
 */
export async function visitProvider(
  authorizationUrl: string,
  email: string,
  callbackPrefix: string,
  jar = new CookieJar(),
): Promise<ProviderVisit> {
  const pages: ProviderVisit['pages'] = [];
  let response = await jar.fetch(authorizationUrl);
  for (let step = 0; step < MAX_STEPS; step++) {
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, response.url || authorizationUrl);
      if (next.href.startsWith(callbackPrefix)) return { callback: next, pages };
      response = await jar.fetch(next.href);
      continue;
    }
    const html = await response.text();
    pages.push({ status: response.status, html });
    const action = /<form[^>]*\saction="([^"]+)"/.exec(html)?.[1];
    if (!action || response.status !== 200)
      throw new Error(`The provider stopped at a ${response.status} page`);
    const form = new URL(action, authorizationUrl).href;
    response = await jar.fetch(form, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email }).toString(),
    });
  }
  throw new Error(`No way back to the site after ${MAX_STEPS} steps`);
}
