import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { type OAuthClient, oauthApi } from '../../api/oauth.ts';
import { Confirm } from '../../components/Confirm.tsx';
import { SecretOnce } from '../../components/SecretOnce.tsx';
import { ClientForm } from './ClientForm.tsx';

export function ClientDetails() {
  const { clientId = '' } = useParams();
  const [client, setClient] = useState<OAuthClient | null>(null);
  const [error, setError] = useState('');
  const [secret, setSecret] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState(false);

  const load = useCallback(() => {
    oauthApi.client(clientId).then(setClient, (e: Error) => setError(e.message));
  }, [clientId]);
  useEffect(load, [load]);

  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (!client) return <p role="status">Loading…</p>;
  return (
    <>
      <h1>{client.name}</h1>
      <p>
        <Link to="/admin/integrations/oauth">Back to OAuth clients</Link>
      </p>
      <p>
        Client ID: <code>{client.id}</code>
      </p>
      {secret ? (
        <SecretOnce clientId={client.id} secret={secret} />
      ) : (
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          Regenerate Client Secret
        </button>
      )}
      {confirming && (
        <Confirm
          title="Regenerate the client secret?"
          message="The current secret stops working at once. Every application using it must be given the new one."
          confirmLabel="Regenerate"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            try {
              setSecret((await oauthApi.regenerate(client.id)).secret ?? '');
            } catch (e) {
              setError((e as Error).message);
            }
          }}
        />
      )}
      <h2>Settings</h2>
      {saved && <p role="status">Saved.</p>}
      <ClientForm
        key={client.dateCreated + client.name}
        initial={client}
        submitLabel="Save"
        onSubmit={async (body) => {
          setClient(await oauthApi.update(client.id, body));
          setSaved(true);
        }}
      />
    </>
  );
}
