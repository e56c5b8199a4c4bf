import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { api, type Session, setCsrfToken, setUnauthorizedHandler } from './api/client.ts';

interface SessionState {
  session: Session | null;
  loading: boolean;
  signedIn(s: Session): void;
  signOut(): Promise<void>;
}

const Ctx = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    // An API call refused for want of a session drops it; RequireSession then sends to /login.
    setUnauthorizedHandler(() => {
      setCsrfToken('');
      setSession(null);
    });
    api
      .session()
      .then((s) => {
        setCsrfToken(s.csrfToken);
        setSession(s);
      })
      .catch(() => setSession(null))
      .finally(() => setLoading(false));
  }, []);

  const signedIn = useCallback((s: Session) => {
    setCsrfToken(s.csrfToken);
    setSession(s);
  }, []);

  const signOut = useCallback(async () => {
    // A session that came from SSO logs out through the identity provider (single logout):
    // Gatehouse's logout URL ends the session here and sends the IdP a LogoutRequest.
    const sso = await api.ssoSession().catch(() => ({ ssoLogoutUrl: null }));
    if (sso.ssoLogoutUrl) {
      window.location.assign(sso.ssoLogoutUrl);
      return;
    }
    await api.logout().catch(() => undefined);
    setCsrfToken('');
    setSession(null);
  }, []);

  return <Ctx.Provider value={{ session, loading, signedIn, signOut }}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
