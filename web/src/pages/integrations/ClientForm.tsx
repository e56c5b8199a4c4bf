import { type FormEvent, useEffect, useState } from 'react';
import type { ClientRequest, OAuthClient } from '../../api/oauth.ts';
import { GRANT_LABELS, oauthApi } from '../../api/oauth.ts';

const SUGGESTED_TTL = 64_800;

/**
 * The client form of the seed: Client Details, then Roles (only once Client Credentials is
 * picked) or Scope (for the other grant types).
 */
export function ClientForm({
  initial,
  submitLabel,
  onSubmit,
}: {
  initial?: OAuthClient;
  submitLabel: string;
  onSubmit(body: ClientRequest): Promise<void>;
}) {
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [ttl, setTtl] = useState(String(initial?.accessTokenValiditySeconds ?? SUGGESTED_TTL));
  const [grant, setGrant] = useState(initial?.authorizedGrantType ?? '');
  const [uris, setUris] = useState((initial?.registeredRedirectUri ?? []).join('\n'));
  const [scopes, setScopes] = useState<string[]>(initial?.scope ?? []);
  const [roleIds, setRoleIds] = useState<string[]>((initial?.roleDivisions ?? []).map((r) => r.roleId));
  // Client Type (seeds/001 step 1): a service account is a client-credentials client with its own user.
  const [serviceAccount, setServiceAccount] = useState(initial?.serviceAccount ?? false);
  const [tab, setTab] = useState<'details' | 'roles' | 'scope'>('details');
  const [catalogue, setCatalogue] = useState<{
    roles: { id: string; name: string }[];
    scopes: { id: string; description: string }[];
    home: string;
  }>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([oauthApi.roles(), oauthApi.scopes(), oauthApi.homeDivision()])
      .then(([r, s, h]) => setCatalogue({ roles: r.entities, scopes: s.entities, home: h.id }))
      .catch((e: Error) => setError(e.message));
  }, []);

  const cc = grant === 'CLIENT-CREDENTIALS';
  const toggle = (list: string[], v: string) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await onSubmit({
        name,
        description,
        accessTokenValiditySeconds: Number(ttl),
        authorizedGrantType: grant,
        state: initial?.state,
        ...(cc && !initial && serviceAccount ? { serviceAccount: true } : {}),
        ...(cc
          ? { roleDivisions: roleIds.map((roleId) => ({ roleId, divisionId: catalogue?.home ?? '' })) }
          : {
              scope: scopes,
              registeredRedirectUri: uris
                .split('\n')
                .map((u) => u.trim())
                .filter(Boolean),
            }),
      });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="panel">
      <div role="tablist" className="tabs">
        <button type="button" role="tab" aria-selected={tab === 'details'} onClick={() => setTab('details')}>
          Client Details
        </button>
        {cc && (
          <button type="button" role="tab" aria-selected={tab === 'roles'} onClick={() => setTab('roles')}>
            Roles
          </button>
        )}
        {grant && !cc && (
          <button type="button" role="tab" aria-selected={tab === 'scope'} onClick={() => setTab('scope')}>
            Scope
          </button>
        )}
      </div>
      <div hidden={tab !== 'details'}>
        <label htmlFor="app-name">App Name</label>
        <input id="app-name" required value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="description">Description</label>
        <input id="description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <label htmlFor="ttl">Token Duration (seconds, 300–172,800; suggested 64,800)</label>
        <input
          id="ttl"
          type="number"
          min={300}
          max={172800}
          required
          value={ttl}
          onChange={(e) => setTtl(e.target.value)}
        />
        <fieldset>
          <legend>Client Type</legend>
          <label className="inline">
            <input
              type="radio"
              name="client-type"
              checked={!serviceAccount}
              disabled={Boolean(initial)}
              onChange={() => setServiceAccount(false)}
            />{' '}
            Standard
          </label>
          <label className="inline">
            <input
              type="radio"
              name="client-type"
              checked={serviceAccount}
              disabled={Boolean(initial)}
              onChange={() => {
                setServiceAccount(true);
                setGrant('CLIENT-CREDENTIALS');
              }}
            />{' '}
            Service Account
          </label>
        </fieldset>
        <fieldset>
          <legend>Grant Types</legend>
          {Object.entries(GRANT_LABELS).map(([value, label]) => (
            <label key={value} className="inline">
              <input
                type="radio"
                name="grant"
                value={value}
                checked={grant === value}
                disabled={serviceAccount && value !== 'CLIENT-CREDENTIALS'}
                onChange={() => setGrant(value)}
              />{' '}
              {label}
            </label>
          ))}
        </fieldset>
        {grant && !cc && (
          <>
            <label htmlFor="redirects">Authorized redirect URIs (one per line)</label>
            <textarea id="redirects" rows={3} value={uris} onChange={(e) => setUris(e.target.value)} />
          </>
        )}
      </div>
      {cc && tab === 'roles' && (
        <fieldset>
          <legend>Roles (Home division)</legend>
          {catalogue?.roles.map((r) => (
            <label key={r.id} className="inline">
              <input
                type="checkbox"
                checked={roleIds.includes(r.id)}
                onChange={() => setRoleIds(toggle(roleIds, r.id))}
              />{' '}
              {r.name}
            </label>
          ))}
        </fieldset>
      )}
      {!cc && tab === 'scope' && (
        <fieldset>
          <legend>Scope</legend>
          {catalogue?.scopes.map((s) => (
            <label key={s.id} className="inline">
              <input type="checkbox" checked={scopes.includes(s.id)} onChange={() => setScopes(toggle(scopes, s.id))} />{' '}
              {s.id}
            </label>
          ))}
        </fieldset>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || !grant}>
        {busy ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}
