import { useState } from 'react';
import { Link } from 'react-router-dom';
import { type OAuthClient, oauthApi } from '../../api/oauth.ts';
import { SecretOnce } from '../../components/SecretOnce.tsx';
import { ClientForm } from './ClientForm.tsx';

export function AddClient() {
  const [created, setCreated] = useState<OAuthClient | null>(null);
  return (
    <>
      <h1>Add Client</h1>
      {created ? (
        <>
          <p>
            The client <strong>{created.name}</strong> was saved.
          </p>
          <SecretOnce clientId={created.id} secret={created.secret ?? ''} />
          <p>
            <Link to="/admin/integrations/oauth">Back to OAuth clients</Link>
          </p>
        </>
      ) : (
        <ClientForm submitLabel="Save" onSubmit={async (body) => setCreated(await oauthApi.create(body))} />
      )}
    </>
  );
}
