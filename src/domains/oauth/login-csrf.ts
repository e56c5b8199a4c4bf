/**
 * Login CSRF on /oauth/authorize/login (RFC 6819 §4.4.1.8, RFC 9700 §4.7): without it a
 * cross-site form could sign the victim's browser in as the attacker. Two checks: the Origin
 * (or Referer) of the POST must be Gatehouse's own, and the form must carry a token bound to a
 * pre-login cookie that only Gatehouse's login page sets (double submit, HMAC-bound).
 */
import { randomToken, safeEqual } from '../../platform/crypto.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const LOGIN_COOKIE = 'gh_login';
export const LOGIN_CSRF_FIELD = 'login_csrf';

/** Whether the request's Origin (else Referer) is this server's origin; true when neither is sent. */
export function sameOrigin(request: FastifyRequest, publicUrl: string | null): boolean {
  const own = publicUrl ? new URL(publicUrl).origin : `${request.protocol}://${request.host}`;
  const origin = request.headers.origin;
  if (typeof origin === 'string') return origin === own;
  const referer = request.headers.referer;
  if (typeof referer === 'string') {
    try {
      return new URL(referer).origin === own;
    } catch {
      return false;
    }
  }
  // Browsers send Origin on every cross-site POST; a request with neither is not one a site made.
  return true;
}

export function createLoginCsrf(o: { csrfFor: (value: string) => string; secureCookies: boolean }) {
  return {
    /** The form token for this browser, setting its pre-login cookie when it has none. */
    issue(request: FastifyRequest, reply: FastifyReply): string {
      let value = request.cookies[LOGIN_COOKIE];
      if (!value || value.length > 100) {
        value = randomToken(32);
        reply.setCookie(LOGIN_COOKIE, value, {
          path: '/oauth/authorize',
          httpOnly: true,
          sameSite: 'strict',
          secure: o.secureCookies,
          maxAge: 3600,
        });
      }
      return o.csrfFor(`login:${value}`);
    },

    /** Whether the posted form carries the token of this browser's cookie. */
    verify(request: FastifyRequest, sent: unknown): boolean {
      const value = request.cookies[LOGIN_COOKIE];
      return typeof sent === 'string' && !!value && safeEqual(sent, o.csrfFor(`login:${value}`));
    },
  };
}
