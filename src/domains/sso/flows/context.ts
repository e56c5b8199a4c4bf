/** What every SAML flow step shares: stores, clock, public URL, and the answer shapes routes send. */
import type { Clock } from '../../../platform/clock.ts';
import type { OAuthService } from '../../oauth/index.ts';
import type { SsoStore } from '../providers-store.ts';
import type { FlowStore } from './flow-store.ts';

export interface FlowContext {
  providers: SsoStore;
  flows: FlowStore;
  oauth: OAuthService;
  clock: Clock;
  publicUrl: string;
}

/** How long an AuthnRequest or LogoutRequest waits for its answer. */
export const REQUEST_TTL_SECONDS = 600;
export const SKEW_SECONDS = 10;

/** What a flow step answers; routes.ts turns it into HTTP. */
export type FlowAnswer =
  | { kind: 'redirect'; url: string; clearCookie?: boolean }
  | { kind: 'html'; status: number; body: string; nonce?: string; session?: { token: string; maxAge: number } };

/** A refusal shown to the person as an HTML page; `log` is for the server log only. */
export class FlowError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly log?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * A same-origin relative path, or null: one leading '/', not '//' or '/\' (protocol-relative to
 * browsers), no whitespace or control characters (the URL parser drops them: '/\t/x' is '//x').
 */
export function safeReturnTo(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u0020\u007f]/.test(value)) return null;
  return value;
}
