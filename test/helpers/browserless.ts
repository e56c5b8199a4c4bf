/**
 * Drives the login → consent → redirect pages of /oauth/authorize over plain HTTP, the way a
 * browser would: a cookie jar, manual redirects, and the hidden fields of each form.
 */
import type { TestApp } from './app.ts';

export interface FlowResult {
  /** Where the last redirect pointed (the app's redirect URI with code or error), if any. */
  location: string | null;
  status: number;
  html: string;
}

export class AuthorizeSession {
  private cookies = new Map<string, string>();
  constructor(private readonly t: TestApp) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair.split('=');
      if (v) this.cookies.set(k, v);
      else this.cookies.delete(k);
    }
  }

  async request(path: string, form?: Record<string, string>): Promise<Response> {
    const res = await fetch(this.t.url + path, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader(),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    this.remember(res);
    return res;
  }

  /** Follows redirects that stay on Gatehouse; stops at one that leaves it. */
  async follow(res: Response): Promise<FlowResult> {
    let current = res;
    for (let i = 0; i < 5; i++) {
      const location = current.headers.get('location');
      if (!location) return { location: null, status: current.status, html: await current.text() };
      if (!location.startsWith('/')) return { location, status: current.status, html: '' };
      current = await this.request(location);
    }
    throw new Error('too many redirects');
  }

  /** The hidden inputs of the first form on a page. */
  static fields(html: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      out[m[1]] = m[2].replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
    }
    return out;
  }

  /** Login (when asked), then approve consent (when asked); answers the final result. */
  async authorize(
    query: Record<string, string>,
    who: { email: string; password: string },
    decision: 'approve' | 'deny' = 'approve',
  ): Promise<FlowResult> {
    let step = await this.follow(await this.request(`/oauth/authorize?${new URLSearchParams(query)}`));
    if (step.location || step.status !== 200) return step;
    if (step.html.includes('action="/oauth/authorize/login"')) {
      step = await this.follow(
        await this.request('/oauth/authorize/login', {
          ...AuthorizeSession.fields(step.html),
          email: who.email,
          password: who.password,
        }),
      );
      if (step.location || step.status !== 200) return step;
    }
    if (step.html.includes('action="/oauth/authorize/decision"')) {
      step = await this.follow(
        await this.request('/oauth/authorize/decision', { ...AuthorizeSession.fields(step.html), decision }),
      );
    }
    return step;
  }
}
