import { type FormEvent, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { api, ApiFailure } from '../api/client.ts';
import { useSession } from '../session.tsx';

export function Login() {
  const { session, signedIn } = useSession();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/admin';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [organization, setOrganization] = useState('');
  const [askOrg, setAskOrg] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      signedIn(await api.login(email, password, askOrg ? organization : undefined));
      navigate(from.startsWith('/admin') ? from : '/admin', { replace: true });
    } catch (err) {
      if (err instanceof ApiFailure && err.code === 'organization.required') setAskOrg(true);
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (session && !busy) return <Navigate to={from.startsWith('/admin') ? from : '/admin'} replace />;
  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Gatehouse</h1>
        <label htmlFor="email">Email</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="password">Password</label>
        <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {askOrg && (
          <>
            <label htmlFor="organization">Organization</label>
            <input id="organization" required value={organization} onChange={(e) => setOrganization(e.target.value)} />
          </>
        )}
        {error && <p role="alert" className="error">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Log in'}</button>
      </form>
    </main>
  );
}
