import { useEffect, useState } from 'react';
import { request } from '../api/client.ts';
import { useSession } from '../session.tsx';

interface Organization {
  id: string;
  name: string;
  domain?: string;
  state?: string;
  defaultLanguage?: string;
}

export function Home() {
  const { session } = useSession();
  const [org, setOrg] = useState<Organization | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    request<Organization>('/api/v2/organizations/me').then(setOrg, (e: Error) => setError(e.message));
  }, []);
  return (
    <>
      <h1>Admin</h1>
      <p>Welcome, {session?.user.name}. Choose an area on the left.</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!org && !error && <p role="status">Loading…</p>}
      {org && (
        <dl className="summary">
          <dt>Organization</dt>
          <dd>{org.name}</dd>
          <dt>Domain</dt>
          <dd>{org.domain}</dd>
          <dt>State</dt>
          <dd>{org.state}</dd>
          <dt>Organization ID</dt>
          <dd>
            <code>{org.id}</code>
          </dd>
        </dl>
      )}
    </>
  );
}
