import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import {
  expiryText,
  type IdentityProvider,
  providerKindLabel,
  SP_CERTIFICATE_URL,
  SP_METADATA_URL,
  type SpInfo,
  ssoApi,
  type SsoSettings,
} from '../../api/sso.ts';
import { ActionsMenu } from '../../components/ActionsMenu.tsx';
import { Confirm } from '../../components/Confirm.tsx';
import { useLoad } from '../../components/useLoad.ts';

/** Admin → Integrations → Single Sign-On: identity providers, Gatehouse's SP details, SSO settings. */
export function SsoProviders() {
  return (
    <>
      <h1>Single Sign-On</h1>
      <p>
        <Link className="button" to="/admin/integrations/sso/new">
          Add Identity Provider
        </Link>
      </p>
      <ProviderTable />
      <ServiceProvider />
      <Settings />
    </>
  );
}

/** Providers created by POST are addressed by id, the per-kind ones by their kind. */
export const providerPath = (p: IdentityProvider) => p.selfUri.split('/').pop() ?? p.id;

type SortKey = 'name' | 'type' | 'expiry';
const SORTS: Record<SortKey, (a: IdentityProvider, b: IdentityProvider) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  type: (a, b) => providerKindLabel(a).localeCompare(providerKindLabel(b)) || a.name.localeCompare(b.name),
  // The certificate that expires first decides; a provider without one sorts last.
  expiry: (a, b) => firstExpiry(a).localeCompare(firstExpiry(b)) || a.name.localeCompare(b.name),
};
const firstExpiry = (p: IdentityProvider) => p.certificateDetails.map((c) => c.notAfter).sort()[0] ?? '\uffff';

function ProviderTable() {
  const navigate = useNavigate();
  const fetcher = useCallback(() => ssoApi.list(), []);
  const { load, act, actionError } = useLoad(fetcher);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'name', descending: false });
  const [deleting, setDeleting] = useState<IdentityProvider | null>(null);

  if (load.status === 'loading') return <p role="status">Loading…</p>;
  if (load.status === 'error') {
    return (
      <div role="alert" className="error">
        <p>{load.message}</p>
      </div>
    );
  }
  const providers = load.value.entities;
  if (providers.length === 0) {
    return (
      <p className="empty">
        No identity providers yet. Add one to let people sign in with your corporate identity provider.
      </p>
    );
  }
  const rows = [...providers].sort(SORTS[sort.key]);
  if (sort.descending) rows.reverse();
  const header = (key: SortKey, label: string) => {
    const active = sort.key === key;
    return (
      <th aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
        <button
          type="button"
          className="sort"
          onClick={() => setSort({ key, descending: active ? !sort.descending : false })}
        >
          {label}
          {active ? (sort.descending ? ' ▼' : ' ▲') : ''}
        </button>
      </th>
    );
  };

  return (
    <>
      {actionError && (
        <p role="alert" className="error">
          {actionError}
        </p>
      )}
      <table aria-label="Identity providers">
        <thead>
          <tr>
            <th>Logo</th>
            {header('name', 'Name')}
            {header('type', 'Identity Provider')}
            <th>Issuer</th>
            <th>State</th>
            {header('expiry', 'Certificate Expiration')}
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.id}>
              <td>
                {p.logoImageData ? (
                  <img
                    alt={`${p.name} logo`}
                    width={32}
                    height={32}
                    src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(p.logoImageData)}`}
                  />
                ) : (
                  <span title="No logo">—</span>
                )}
              </td>
              <td>
                <Link to={`/admin/integrations/sso/${providerPath(p)}`}>{p.name}</Link>
              </td>
              <td>{providerKindLabel(p)}</td>
              <td>
                <code>{p.issuerURI}</code>
              </td>
              <td>{p.disabled ? 'Disabled' : 'Enabled'}</td>
              <td>
                <CertificateExpiry provider={p} />
              </td>
              <td>
                <ActionsMenu
                  name={p.name}
                  actions={[
                    { label: 'Edit', onSelect: () => navigate(`/admin/integrations/sso/${providerPath(p)}`) },
                    { label: 'Delete', onSelect: () => setDeleting(p), danger: true },
                  ]}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {deleting && (
        <Confirm
          title="Delete identity provider"
          message={`People can no longer sign in through ${deleting.name}.`}
          confirmLabel="Delete"
          danger
          onConfirm={() => {
            const target = deleting;
            setDeleting(null);
            void act(() => ssoApi.remove(providerPath(target)));
          }}
          onCancel={() => setDeleting(null)}
        />
      )}
    </>
  );
}

function CertificateExpiry({ provider }: { provider: IdentityProvider }) {
  if (provider.certificateDetails.length === 0) return <span className="warning">No certificate</span>;
  return (
    <ul className="plain">
      {provider.certificateDetails.map((c) => (
        <li key={c.fingerprint256} className={c.expired || c.expiresSoon ? 'warning' : ''}>
          {c.expired || c.expiresSoon ? '⚠ ' : ''}
          {expiryText(c)}
        </li>
      ))}
    </ul>
  );
}

function ServiceProvider() {
  const [sp, setSp] = useState<SpInfo>();
  const [error, setError] = useState('');
  useEffect(() => {
    ssoApi
      .sp()
      .then(setSp)
      .catch((e: Error) => setError(e.message));
  }, []);
  return (
    <section className="panel" aria-labelledby="sp-title">
      <h2 id="sp-title">Gatehouse as service provider</h2>
      <p>Give these to your identity provider, or download Gatehouse's metadata and certificate.</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!sp && !error && <p role="status">Loading…</p>}
      {sp && (
        <dl>
          <dt>Entity ID (Audience)</dt>
          <dd>
            <code>{sp.entityId}</code>
          </dd>
          <dt>Assertion Consumer Service URL</dt>
          <dd>
            <code>{sp.acsUrl}</code>
          </dd>
          <dt>Single Logout URL</dt>
          <dd>
            <code>{sp.sloUrl}</code>
          </dd>
          <dt>Signing certificate</dt>
          <dd>
            {sp.signingCertificate.subject} · {expiryText(sp.signingCertificate)}
          </dd>
        </dl>
      )}
      <p>
        <a className="button secondary" href={SP_METADATA_URL} download="gatehouse-sp-metadata.xml">
          Download Gatehouse Metadata
        </a>{' '}
        <a className="button secondary" href={SP_CERTIFICATE_URL} download="gatehouse-signing.pem">
          Download Gatehouse Certificate
        </a>{' '}
        <a
          className="button secondary"
          href={`${SP_CERTIFICATE_URL}?use=encryption`}
          download="gatehouse-encryption.pem"
        >
          Download Encryption Certificate
        </a>
      </p>
    </section>
  );
}

function Settings() {
  const [settings, setSettings] = useState<SsoSettings>();
  const [users, setUsers] = useState<{ id: string; name: string; email: string }[]>([]);
  const [allowList, setAllowList] = useState('');
  const [error, setError] = useState('');
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([ssoApi.settings(), ssoApi.users()])
      .then(([s, u]) => {
        setSettings(s);
        setAllowList(s.redirectAllowList.join('\n'));
        setUsers(u.entities);
      })
      .catch((e: Error) => setError(e.message));
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!settings) return;
    setBusy(true);
    setError('');
    setSaved(false);
    try {
      const next = await ssoApi.saveSettings({
        ...settings,
        redirectAllowList: allowList
          .split('\n')
          .map((u) => u.trim())
          .filter(Boolean),
      });
      setSettings(next);
      setSaved(true);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby="sso-settings-title">
      <h2 id="sso-settings-title">SSO settings</h2>
      {!settings && !error && <p role="status">Loading…</p>}
      {settings && (
        <>
          <label className="inline">
            <input
              type="checkbox"
              checked={settings.ssoOnly}
              onChange={(e) => setSettings({ ...settings, ssoOnly: e.target.checked })}
            />{' '}
            SSO only (password sign-in to be refused for everyone but the break-glass user; enforced once SAML login is
            available)
          </label>
          <label htmlFor="break-glass">Break-glass user</label>
          <select
            id="break-glass"
            value={settings.breakGlassUserId ?? ''}
            onChange={(e) => setSettings({ ...settings, breakGlassUserId: e.target.value || null })}
          >
            <option value="">None</option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({u.email})
              </option>
            ))}
          </select>
          <label htmlFor="allow-list">Allowed ServiceName redirect URLs (https, one per line)</label>
          <textarea id="allow-list" rows={3} value={allowList} onChange={(e) => setAllowList(e.target.value)} />
        </>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {saved && <p role="status">Settings saved.</p>}
      <button type="submit" disabled={busy || !settings}>
        {busy ? 'Saving…' : 'Save settings'}
      </button>
    </form>
  );
}
