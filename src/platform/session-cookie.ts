import type { FastifyReply } from 'fastify';
import { SESSION_COOKIE } from './pipeline/authenticate.ts';

/** The browser session cookie of the console and the login page: HttpOnly, SameSite=Strict. */
export function setSessionCookie(reply: FastifyReply, value: string, maxAgeSeconds: number, secure: boolean) {
  reply.setCookie(SESSION_COOKIE, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: maxAgeSeconds,
  });
}

export { SESSION_COOKIE };
