import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { type OAuthClient, oauthApi } from '../../api/oauth.ts';
import { Confirm } from '../../components/Confirm.tsx';
import { SecretOnce } from '../../components/SecretOnce.tsx';
import { ClientForm } from './ClientForm.tsx';

export function ClientDetails() {
  const { clientId = '' } = useParams();
  const [client, setClient] = useState<OAuthClient | null>(null);
  const [loadError, setLoadError] = useState('');
  const [error, setError] = useState('');
  const [secret, setSecret] = useState('');
  const [confirming, setConfirming] = useState<'secret' | 'deactivate' | 'delete' | null>(null);
  const [saved, setSaved] = useState('');
  const navigate = useNavigate();

  const load = useCallback(() => {
    oauthApi.client(clientId).then(setClient, (e: Error) => setLoadError(e.message));
  }, [clientId]);
  useEffect(load, [load]);

  if (loadError)
    return (
      <p role="alert" className="error">
        {loadError}
      </p>
    );
  if (!client) return <p role="status">Loading…</p>;
  const active = client.state === 'active';
  // The API takes the whole client on PUT: the state change resends what is stored.
  const setState = async (state: string) => {
    const c = client;
    setClient(
      await oauthApi.update(c.id, {
        name: c.name,
        description: c.description,
        accessTokenValiditySeconds: c.accessTokenValiditySeconds,
        authorizedGrantType: c.authorizedGrantType,
        registeredRedirectUri: c.registeredRedirectUri,
        scope: c.scope,
        roleDivisions: c.roleDivisions,
        state,
      }),
    );
    setSaved(state === 'active' ? 'Activated.' : 'Deactivated: its tokens no longer work.');
  };
  return (
    <>
      <h1>{client.name}</h1>
      <p>
        <Link to="/admin/integrations/oauth">Back to OAuth clients</Link>
      </p>
      <p>
        Client ID: <code>{client.id}</code> · State: <strong data-testid="client-state">{client.state}</strong>
      </p>
      <div className="actions">
        {!secret && (
          <button type="button" className="secondary" onClick={() => setConfirming('secret')}>
            Regenerate Client Secret
          </button>
        )}
        {active ? (
          <button type="button" className="secondary" onClick={() => setConfirming('deactivate')}>
            Deactivate
          </button>
        ) : (
          <button
            type="button"
            className="secondary"
            onClick={() => setState('active').catch((e: Error) => setError(e.message))}
          >
            Activate
          </button>
        )}
        <button
          type="button"
          className="danger"
          disabled={active}
          aria-describedby="delete-hint"
          onClick={() => setConfirming('delete')}
        >
          Delete
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <p id="delete-hint" className="hint">
        {active ? 'Deactivate the client before deleting it.' : 'An inactive client can be deleted.'}
      </p>
      {secret && <SecretOnce clientId={client.id} secret={secret} />}
      {confirming === 'secret' && (
        <Confirm
          title="Regenerate the client secret?"
          message="The current secret stops working at once. Every application using it must be given the new one."
          confirmLabel="Regenerate"
          danger
          onCancel={() => setConfirming(null)}
          onConfirm={async () => {
            setConfirming(null);
            try {
              setSecret((await oauthApi.regenerate(client.id)).secret ?? '');
            } catch (e) {
              setError((e as Error).message);
            }
          }}
        />
      )}
      {confirming === 'deactivate' && (
        <Confirm
          title={`Deactivate ${client.name}?`}
          message="The client can no longer get tokens, and the tokens it holds stop working. You can activate it again."
          confirmLabel="Deactivate"
          danger
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            setConfirming(null);
            setState('inactive').catch((e: Error) => setError(e.message));
          }}
        />
      )}
      {confirming === 'delete' && (
        <Confirm
          title={`Delete ${client.name}?`}
          message="The client is deleted for good: this cannot be undone. Its usage history is kept."
          confirmLabel="Delete"
          danger
          onCancel={() => setConfirming(null)}
          onConfirm={async () => {
            setConfirming(null);
            try {
              await oauthApi.remove(client.id);
              navigate('/admin/integrations/oauth', { state: { notice: `Deleted ${client.name}.` } });
            } catch (e) {
              setError((e as Error).message);
            }
          }}
        />
      )}
      <h2>Settings</h2>
      {saved && <p role="status">{saved}</p>}
      <ClientForm
        key={client.dateCreated + client.name}
        initial={client}
        submitLabel="Save"
        onSubmit={async (body) => {
          setClient(await oauthApi.update(client.id, body));
          setSaved('Saved.');
        }}
      />
    </>
  );
}
