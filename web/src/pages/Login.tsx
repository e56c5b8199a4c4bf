import { type FormEvent, useEffect, useState } from 'react';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiFailure } from '../api/client.ts';
import { fetchLoginOptions, type LoginOptions, type LoginProviderOption, providerLoginHref } from '../api/sso.ts';
import { useSession } from '../session.tsx';

/** Up to this many providers are buttons; the rest are under "More sign-in options". */
const MAX_BUTTONS = 6;

type Options =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; options: LoginOptions | null };

function ProviderLink({ provider, returnTo }: { provider: LoginProviderOption; returnTo: string }) {
  return (
    <a
      className="button idp"
      href={providerLoginHref(provider, returnTo)}
      style={{
        display: 'flex',
        alignItems: 'center',
        gap: '.5rem',
        justifyContent: 'center',
        marginTop: '.5rem',
        background: '#fff',
        color: 'var(--accent)',
        border: '1px solid var(--line)',
      }}
    >
      {provider.logo && <img src={provider.logo} alt="" width={20} height={20} />}
      <span>{provider.name}</span>
    </a>
  );
}

function Providers({ options, returnTo }: { options: LoginOptions; returnTo: string }) {
  if (options.providers.length === 0) return null;
  const buttons = options.providers.slice(0, MAX_BUTTONS);
  const rest = options.providers.slice(MAX_BUTTONS);
  return (
    <nav aria-label="Single sign-on" className="sso-providers">
      {buttons.map((p) => (
        <ProviderLink key={p.id} provider={p} returnTo={returnTo} />
      ))}
      {rest.length > 0 && (
        <details className="more-providers" style={{ marginTop: '.5rem' }}>
          <summary>More sign-in options</summary>
          {rest.map((p) => (
            <ProviderLink key={p.id} provider={p} returnTo={returnTo} />
          ))}
        </details>
      )}
    </nav>
  );
}

export function Login() {
  const { session, signedIn } = useSession();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const orgParam = search.get('organization') ?? undefined;
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/admin';
  const target = from.startsWith('/admin') ? from : '/admin';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [organization, setOrganization] = useState(orgParam ?? '');
  const [askOrg, setAskOrg] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [options, setOptions] = useState<Options>({ state: 'loading' });
  const [breakGlass, setBreakGlass] = useState(false);
  useEffect(() => {
    document.title = 'Sign in · Gatehouse';
  }, []);

  useEffect(() => {
    let live = true;
    setOptions({ state: 'loading' });
    fetchLoginOptions(orgParam).then(
      (o) => live && setOptions({ state: 'ready', options: o }),
      (e: Error) => live && setOptions({ state: 'error', message: e.message }),
    );
    return () => {
      live = false;
    };
  }, [orgParam]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      signedIn(await api.login(email, password, askOrg || orgParam ? organization : undefined));
      navigate(target, { replace: true });
    } catch (err) {
      if (err instanceof ApiFailure && err.code === 'organization.required') setAskOrg(true);
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (session && !busy) return <Navigate to={target} replace />;
  const sso = options.state === 'ready' ? options.options : null;
  const ssoOnly = sso?.ssoOnly === true;
  const showForm = !ssoOnly || breakGlass;
  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Gatehouse</h1>
        {options.state === 'loading' && (
          <p className="empty" aria-live="polite">
            Loading sign-in options…
          </p>
        )}
        {options.state === 'error' && (
          <p className="empty" role="status">
            {options.message}
          </p>
        )}
        {sso && <Providers options={sso} returnTo={target} />}
        {ssoOnly && <p className="empty">{sso!.organization.name} signs in with single sign-on.</p>}
        {ssoOnly && !breakGlass && (
          <button type="button" className="secondary" onClick={() => setBreakGlass(true)}>
            Break-glass administrator sign-in
          </button>
        )}
        {showForm && (
          <>
            {sso && sso.providers.length > 0 && !ssoOnly && (
              <p className="empty" style={{ textAlign: 'center' }}>
                or sign in with your password
              </p>
            )}
            <label htmlFor="email">Email</label>
            <input
              id="email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
            <label htmlFor="password">Password</label>
            <input
              id="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            {askOrg && (
              <>
                <label htmlFor="organization">Organization</label>
                <input
                  id="organization"
                  required
                  value={organization}
                  onChange={(e) => setOrganization(e.target.value)}
                />
              </>
            )}
          </>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {showForm && (
          <button type="submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Log in'}
          </button>
        )}
      </form>
    </main>
  );
}
