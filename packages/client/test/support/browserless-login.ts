// Drives Tessera's hosted login page with fetch and a tiny cookie jar, the way a browser without
// JavaScript would (after apps/server/test/support/login-browserless.ts): from the /authorize URL to the
// redirect carrying the code.
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

class CookieJar {
  readonly cookies = new Map<string, string>();
  absorb(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (/max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.absorb(response);
    return response;
  }
}

function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (match?.[1] === undefined) throw new Error(`no hidden field ${name} in the page`);
  return match[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** Logs in at `authorizeUrl` (and consents if asked); resolves with the redirect URL carrying the code. */
export async function loginAt(authorizeUrl: string, username: string, password: string): Promise<URL> {
  const jar = new CookieJar();
  let response = await jar.fetch(authorizeUrl);
  if (response.status === 200) {
    let html = await response.text();
    if (html.includes('action="/login"')) {
      response = await jar.fetch(new URL('/login', authorizeUrl).toString(), {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ csrf: hiddenField(html, 'csrf'), authorize: hiddenField(html, 'authorize'), username, password }).toString(),
      });
      if (response.status === 200) html = await response.text();
    }
    if (response.status === 200 && html.includes('action="/consent"')) {
      response = await jar.fetch(new URL('/consent', authorizeUrl).toString(), {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ csrf: hiddenField(html, 'csrf'), authorize: hiddenField(html, 'authorize'), decision: 'allow' }).toString(),
      });
    }
  }
  const location = response.headers.get('location');
  if (response.status !== 303 || !location) throw new Error(`expected a redirect to the client, got ${response.status}`);
  return new URL(location);
}
