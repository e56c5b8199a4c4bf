import { type FormEvent, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  expiryText,
  type IdentityProvider,
  PROVIDER_KINDS,
  SP_CERTIFICATE_URL,
  SP_METADATA_URL,
  type SpInfo,
  ssoApi,
  type SsoSettings,
} from '../../api/sso.ts';
import { PagedTable } from '../../components/PagedTable.tsx';

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
      <PagedTable<IdentityProvider>
        path="/api/v2/identityproviders"
        empty="No identity providers yet. Add one to let people sign in with your corporate identity provider."
        columns={[
          { header: 'Name', cell: (p) => <Link to={`/admin/integrations/sso/${providerPath(p)}`}>{p.name}</Link> },
          {
            header: 'Type',
            cell: (p) => PROVIDER_KINDS[p.selfUri.endsWith(`/${p.id}`) ? 'custom' : p.providerType] ?? p.providerType,
          },
          { header: 'Issuer', cell: (p) => <code>{p.issuerURI}</code> },
          { header: 'State', cell: (p) => (p.disabled ? 'Disabled' : 'Enabled') },
          { header: 'Certificates', cell: (p) => <CertificateExpiry provider={p} /> },
        ]}
      />
      <ServiceProvider />
      <Settings />
    </>
  );
}

/** Custom providers are addressed by id, the named kinds by their kind. */
export const providerPath = (p: IdentityProvider) => p.selfUri.split('/').pop() ?? p.id;

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
