/** The console's HTTP client: same origin, cookie session, CSRF token on every mutation. */
import type { Static, TUnknown } from '@sinclair/typebox';
import type { Session as SessionSchema } from '../../../src/domains/console/schemas.ts';
import type { EntityListing, ErrorBody as ErrorBodySchema } from '../../../src/platform/schemas.ts';

export type ErrorBody = Static<typeof ErrorBodySchema>;
/** The signed-in console session (POST /api/v2/console/session and GET). */
export type Session = Static<typeof SessionSchema>;
/** A page of entities: the server's listing envelope around the console's own entity type. */
export type Listing<T> = Omit<Static<ReturnType<typeof EntityListing<TUnknown>>>, 'entities'> & { entities: T[] };

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field the error names (upstream ErrorBody details[].fieldName), if any. */
    readonly fieldName?: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
export const setCsrfToken = (token: string) => {
  csrfToken = token;
};

/** Called when an API call answers 401 (the session expired or was revoked elsewhere). */
let onUnauthorized = () => {};
export const setUnauthorizedHandler = (handler: () => void) => {
  onUnauthorized = handler;
};

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined; // e.g. an HTML error page from a proxy in front of the server
  }
}

export async function request<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiFailure(0, 'network', 'The server cannot be reached. Check that Gatehouse is running.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const body = parse(text);
  if (!res.ok) {
    if (res.status === 401 && path.startsWith('/api/')) onUnauthorized();
    const e = (body ?? {}) as Partial<ErrorBody>;
    const field = (e.details as { fieldName?: string }[] | undefined)?.find((d) => d.fieldName)?.fieldName;
    throw new ApiFailure(res.status, e.code ?? 'error', e.message ?? `The server answered ${res.status}.`, field);
  }
  return body as T;
}

export const api = {
  session: () => request<Session>('/console/api/session'),
  login: (email: string, password: string, organization?: string) =>
    request<Session>('/console/api/session', {
      method: 'POST',
      body: { email, password, ...(organization ? { organization } : {}) },
    }),
  logout: () => request<void>('/console/api/session', { method: 'DELETE' }),
  /** Where to go to log out when the session came from SSO (null: a password session). */
  ssoSession: () => request<{ ssoLogoutUrl: string | null }>('/saml/session'),
};
