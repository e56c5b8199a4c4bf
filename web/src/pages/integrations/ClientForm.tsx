import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiFailure } from '../../api/client.ts';
import type { ClientRequest, OAuthClient } from '../../api/oauth.ts';
import { GRANT_LABELS, oauthApi } from '../../api/oauth.ts';
import { Tabs } from '../../components/Tabs.tsx';
import { checkClientForm, type ClientField, type FieldErrors, fieldOfApi, TAB_OF } from './client-form-rules.ts';

const SUGGESTED_TTL = 64_800;
type Tab = 'details' | 'roles' | 'scope';
const FIELD_IDS: Record<ClientField, string> = {
  name: 'app-name',
  ttl: 'ttl',
  grant: 'grant-CLIENT-CREDENTIALS',
  redirects: 'redirects',
  scope: 'scope-list',
  roles: 'role-list',
};

function FieldError({ field, errors }: { field: ClientField; errors: FieldErrors }) {
  const message = errors[field];
  return message ? (
    <p id={`${FIELD_IDS[field]}-error`} className="field-error">
      {message}
    </p>
  ) : null;
}

/** aria props that tie a field to its error message. */
const described = (field: ClientField, errors: FieldErrors) =>
  errors[field] ? { 'aria-invalid': true, 'aria-describedby': `${FIELD_IDS[field]}-error` } : {};

/**
 * The client form of the seed: Client Details, then Roles (only once Client Credentials is
 * picked) or Scope (for the other grant types). Errors are shown beside their field; Save from
 * another tab switches to the tab that holds the first error and focuses the field.
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
  const [scimLimit, setScimLimit] = useState(String(initial?.scimRequestsPerMinute ?? ''));
  // Each role with the division it is granted in (seed 000: "Divisions — assign alongside each role").
  const [roleGrants, setRoleGrants] = useState<{ roleId: string; divisionId: string }[]>(initial?.roleDivisions ?? []);
  const roleIds = roleGrants.map((g) => g.roleId);
  // Client Type (seeds/001 step 1): a service account is a client-credentials client with its own user.
  const [serviceAccount, setServiceAccount] = useState(initial?.serviceAccount ?? false);
  const [tab, setTab] = useState<Tab>('details');
  const [catalogue, setCatalogue] = useState<{
    roles: { id: string; name: string }[];
    scopes: { id: string; description: string }[];
    home: string;
    divisions: { id: string; name: string }[];
  }>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const focusField = useRef<ClientField | null>(null);

  useEffect(() => {
    Promise.all([oauthApi.roles(), oauthApi.scopes(), oauthApi.homeDivision(), oauthApi.divisions()])
      .then(([r, s, h, d]) =>
        setCatalogue({ roles: r.entities, scopes: s.entities, home: h.id, divisions: d.entities }),
      )
      .catch((e: Error) => setError(e.message));
  }, []);
  // After switching to the tab of the first error, focus its field.
  useEffect(() => {
    const f = focusField.current;
    if (!f) return;
    focusField.current = null;
    const el = document.getElementById(FIELD_IDS[f]) ?? document.querySelector<HTMLElement>(`#${FIELD_IDS[f]} input`);
    (el?.matches('input,textarea,select') ? el : el?.querySelector<HTMLElement>('input'))?.focus();
  });

  const cc = grant === 'CLIENT-CREDENTIALS';
  // Implicit is closed to new clients (seed: May 2026); an existing one keeps it until May 2027.
  const grants = Object.entries(GRANT_LABELS).filter(
    ([v]) => v !== 'TOKEN' || initial?.authorizedGrantType === 'TOKEN',
  );
  const toggle = (list: string[], v: string) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  const show = (found: FieldErrors) => {
    setErrors(found);
    const first = (Object.keys(FIELD_IDS) as ClientField[]).find((f) => found[f]);
    if (!first) return;
    const target = TAB_OF[first] === 'access' ? (cc ? 'roles' : 'scope') : 'details';
    setTab(target);
    focusField.current = first;
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    const found = checkClientForm({ name, ttl, grant, scopes, roleIds, uris });
    show(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await onSubmit({
        name,
        description,
        accessTokenValiditySeconds: Number(ttl),
        authorizedGrantType: grant,
        state: initial?.state,
        ...(cc && !initial && serviceAccount ? { serviceAccount: true } : {}),
        ...(cc
          ? {
              roleDivisions: roleGrants.map((g) => ({
                roleId: g.roleId,
                divisionId: g.divisionId || catalogue?.home || '',
              })),
              scimRequestsPerMinute: scimLimit.trim() ? Number(scimLimit) : null,
            }
          : {
              scope: scopes,
              registeredRedirectUri: uris
                .split('\n')
                .map((u) => u.trim())
                .filter(Boolean),
            }),
      });
    } catch (err) {
      const field = err instanceof ApiFailure ? fieldOfApi(err.fieldName) : undefined;
      if (field) show({ [field]: (err as Error).message });
      else setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const tabs = [
    {
      key: 'details' as const,
      label: 'Client Details',
      invalid: Boolean(errors.name || errors.ttl || errors.redirects),
    },
    ...(cc ? [{ key: 'roles' as const, label: 'Roles', invalid: Boolean(errors.roles) }] : []),
    ...(grant && !cc ? [{ key: 'scope' as const, label: 'Scope', invalid: Boolean(errors.scope) }] : []),
  ];

  return (
    <form onSubmit={submit} className="panel" noValidate aria-label="OAuth client">
      {error && (
        <p role="alert" className="error form-error">
          {error}
        </p>
      )}
      {Object.keys(errors).length > 0 && (
        <p role="alert" className="visually-hidden">
          {Object.values(errors).join(' ')}
        </p>
      )}
      <Tabs<Tab> label="Client settings" tabs={tabs} selected={tab} onSelect={setTab} />
      <div hidden={tab !== 'details'} role="tabpanel" aria-label="Client Details">
        <label htmlFor="app-name">App Name</label>
        <input
          id="app-name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          {...described('name', errors)}
        />
        <FieldError field="name" errors={errors} />
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
          {...described('ttl', errors)}
        />
        <FieldError field="ttl" errors={errors} />
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
        <fieldset {...described('grant', errors)}>
          <legend>Grant Types</legend>
          {grants.map(([value, label]) => (
            <label key={value} className="inline">
              <input
                id={`grant-${value}`}
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
          <p className="hint">
            {initial?.authorizedGrantType === 'TOKEN'
              ? 'The implicit grant is deprecated: existing implicit clients stop working in May 2027. Move this client to Code Authorization with PKCE.'
              : 'Token Implicit Grant (Browser) is no longer offered for new clients (removed May 2026; existing implicit clients stop working in May 2027). Browser apps use Code Authorization with PKCE.'}
          </p>
          <FieldError field="grant" errors={errors} />
        </fieldset>
        {cc && (
          <>
            <label htmlFor="scim-limit">
              SCIM requests per minute (identity provisioning; empty: the server default)
            </label>
            <input
              id="scim-limit"
              type="number"
              min={1}
              max={1000000}
              value={scimLimit}
              onChange={(e) => setScimLimit(e.target.value)}
            />
          </>
        )}
        {grant && !cc && (
          <>
            <label htmlFor="redirects">Authorized redirect URIs (one per line)</label>
            <textarea
              id="redirects"
              rows={3}
              value={uris}
              onChange={(e) => setUris(e.target.value)}
              {...described('redirects', errors)}
            />
            <FieldError field="redirects" errors={errors} />
          </>
        )}
      </div>
      {cc && tab === 'roles' && (
        <fieldset id="role-list" role="tabpanel" aria-label="Roles" {...described('roles', errors)}>
          <legend>Roles and their divisions</legend>
          {catalogue?.roles.map((r) => {
            const granted = roleGrants.find((g) => g.roleId === r.id);
            return (
              <div key={r.id} className="role-grant">
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={!!granted}
                    onChange={() =>
                      setRoleGrants(
                        granted
                          ? roleGrants.filter((g) => g.roleId !== r.id)
                          : [...roleGrants, { roleId: r.id, divisionId: catalogue.home }],
                      )
                    }
                  />{' '}
                  {r.name}
                </label>
                {granted && (
                  <select
                    aria-label={`Division of ${r.name}`}
                    value={granted.divisionId}
                    onChange={(e) =>
                      setRoleGrants(
                        roleGrants.map((g) => (g.roleId === r.id ? { ...g, divisionId: e.target.value } : g)),
                      )
                    }
                  >
                    {catalogue.divisions.map((d) => (
                      <option key={d.id} value={d.id}>
                        {d.name}
                      </option>
                    ))}
                    <option value="*">All divisions</option>
                  </select>
                )}
              </div>
            );
          })}
          <FieldError field="roles" errors={errors} />
        </fieldset>
      )}
      {!cc && tab === 'scope' && (
        <fieldset id="scope-list" role="tabpanel" aria-label="Scope" {...described('scope', errors)}>
          <legend>Scope</legend>
          {catalogue?.scopes.map((s) => (
            <label key={s.id} className="inline">
              <input type="checkbox" checked={scopes.includes(s.id)} onChange={() => setScopes(toggle(scopes, s.id))} />{' '}
              {s.id} <small className="hint">{s.description}</small>
            </label>
          ))}
          <FieldError field="scope" errors={errors} />
        </fieldset>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}
