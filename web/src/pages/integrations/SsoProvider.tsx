import { type ChangeEvent, type FormEvent, useCallback, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  BINDINGS,
  type CertificateDetail,
  expiryText,
  type IdentityProvider,
  NAME_ID_FORMATS,
  PROVIDER_KINDS,
  type ProviderRequest,
  providerTypeOf,
  ssoApi,
} from '../../api/sso.ts';
import { Confirm } from '../../components/Confirm.tsx';
import { useLoad } from '../../components/useLoad.ts';

const MAX_CERTIFICATES = 5;
const MAX_LOGO_BYTES = 25 * 1024;
const readFile = (file: File) => file.text();

/** What the form edits: the request body, the kind chosen, each certificate's description, a new logo. */
interface Draft {
  kind: string;
  form: ProviderRequest;
  details: CertificateDetail[];
  /** undefined: unchanged; null: removed. */
  logo: string | null | undefined;
}

function draftOf(p: IdentityProvider | null): Draft {
  if (!p) {
    return {
      kind: 'custom',
      form: {
        name: '',
        disabled: false,
        issuerURI: '',
        ssoTargetURI: '',
        ssoBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
        sloURI: null,
        sloBinding: null,
        relyingPartyIdentifier: null,
        certificates: [],
        nameIdentifierFormat: null,
        signAuthnRequests: false,
        displayOnLogin: true,
      },
      details: [],
      logo: undefined,
    };
  }
  return {
    kind: p.providerType === 'generic' ? 'custom' : p.providerType,
    form: {
      name: p.name,
      disabled: p.disabled,
      issuerURI: p.issuerURI,
      ssoTargetURI: p.ssoTargetURI,
      ssoBinding: p.ssoBinding,
      sloURI: p.sloURI ?? null,
      sloBinding: p.sloBinding ?? null,
      relyingPartyIdentifier: p.relyingPartyIdentifier ?? null,
      certificates: p.certificates,
      nameIdentifierFormat: p.nameIdentifierFormat ?? null,
      signAuthnRequests: p.signAuthnRequests,
      displayOnLogin: p.displayOnLogin,
    },
    details: p.certificateDetails,
    logo: undefined,
  };
}

/** Add (/admin/integrations/sso/new) or edit (/admin/integrations/sso/{id or kind}) an identity provider. */
export function SsoProvider() {
  const { providerId = 'new' } = useParams();
  const fetcher = useCallback(
    () => (providerId === 'new' ? Promise.resolve(null) : ssoApi.provider(providerId)),
    [providerId],
  );
  const { load } = useLoad<IdentityProvider | null>(fetcher);
  if (load.status === 'loading') return <p role="status">Loading…</p>;
  if (load.status === 'error') {
    return (
      <div role="alert" className="error">
        <p>{load.message}</p>
        <Link to="/admin/integrations/sso">Back to Single Sign-On</Link>
      </div>
    );
  }
  return <ProviderForm key={providerId} providerId={providerId} existing={load.value} />;
}

function ProviderForm({ providerId, existing }: { providerId: string; existing: IdentityProvider | null }) {
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft>(() => draftOf(existing));
  const [notice, setNotice] = useState<{ review: string[] | null; error: string }>({ review: null, error: '' });
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // Uploaded certificates are described by the server on save; until then each needs its own key.
  const uploads = useRef(0);
  const { kind, form, details, logo } = draft;

  const set = <K extends keyof ProviderRequest>(key: K, value: ProviderRequest[K]) =>
    setDraft((d) => ({ ...d, form: { ...d.form, [key]: value } }));
  const fail = (error: string) => setNotice((n) => ({ ...n, error }));

  async function onMetadata(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    fail('');
    try {
      const m = await ssoApi.parseMetadata(await readFile(file));
      setDraft((d) => ({
        ...d,
        form: {
          ...d.form,
          issuerURI: m.issuerURI,
          ssoTargetURI: m.ssoTargetURI,
          ssoBinding: m.ssoBinding,
          sloURI: m.sloURI ?? null,
          sloBinding: m.sloBinding ?? null,
          nameIdentifierFormat: m.nameIdentifierFormat ?? d.form.nameIdentifierFormat,
          certificates: m.certificates,
        },
        details: m.certificateDetails,
      }));
      setNotice({
        error: '',
        review: [`Read ${file.name}: review the values below, then save.`, ...(m.warnings ?? [])],
      });
    } catch (err) {
      fail((err as Error).message);
    }
    e.target.value = '';
  }

  async function onCertificate(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    const pem = await readFile(file);
    const key = `${file.name}:${++uploads.current}`;
    setDraft((d) => ({
      ...d,
      form: { ...d.form, certificates: [...d.form.certificates, pem] },
      details: [
        ...d.details,
        {
          subject: `${file.name} (checked on save)`,
          notBefore: '',
          notAfter: '',
          fingerprint256: key,
          expired: false,
          expiresSoon: false,
        },
      ],
    }));
    e.target.value = '';
  }

  const removeCertificate = (i: number) =>
    setDraft((d) => ({
      ...d,
      form: { ...d.form, certificates: d.form.certificates.filter((_, j) => j !== i) },
      details: d.details.filter((_, j) => j !== i),
    }));

  async function onLogo(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    fail('');
    if (file.type && file.type !== 'image/svg+xml') fail('The logo must be an SVG image.');
    else if (file.size > MAX_LOGO_BYTES) fail('The logo must be at most 25 KB.');
    else {
      const svg = await readFile(file);
      setDraft((d) => ({ ...d, logo: svg }));
    }
    e.target.value = '';
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    fail('');
    try {
      const body: ProviderRequest = { ...form, ...(logo !== undefined ? { logoImageData: logo } : {}) };
      // A new provider is always a new one (several of one type may coexist); an existing one is replaced.
      const saved = existing
        ? await ssoApi.save(providerId, body)
        : await ssoApi.create({ ...body, providerType: providerTypeOf(kind) });
      navigate('/admin/integrations/sso', { state: { saved: saved.name } });
    } catch (err) {
      fail((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setConfirmDelete(false);
    try {
      await ssoApi.remove(providerId);
      navigate('/admin/integrations/sso');
    } catch (err) {
      fail((err as Error).message);
    }
  }

  const logoShown = logo === undefined ? existing?.logoImageData : logo;
  return (
    <>
      <h1>{existing ? existing.name : 'Add Identity Provider'}</h1>
      <form className="panel" onSubmit={submit}>
        <label htmlFor="idp-type">Identity Provider Type</label>
        <select
          id="idp-type"
          value={kind}
          disabled={!!existing}
          onChange={(e) => {
            const next = e.target.value;
            setDraft((d) => ({
              ...d,
              kind: next,
              form:
                !d.form.name || Object.values(PROVIDER_KINDS).includes(d.form.name)
                  ? { ...d.form, name: next === 'custom' ? '' : (PROVIDER_KINDS[next] ?? '') }
                  : d.form,
            }));
          }}
        >
          {Object.entries(PROVIDER_KINDS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <label htmlFor="idp-name">Identity Provider Name</label>
        <input id="idp-name" required maxLength={255} value={form.name} onChange={(e) => set('name', e.target.value)} />

        <label htmlFor="idp-metadata">SAML Metadata File</label>
        <input
          id="idp-metadata"
          type="file"
          accept=".xml,application/xml,text/xml,application/samlmetadata+xml"
          onChange={onMetadata}
        />
        {notice.review && (
          <div role="status" className="notice">
            {notice.review.map((r) => (
              <p key={r}>{r}</p>
            ))}
          </div>
        )}

        <label htmlFor="idp-issuer">Issuer URI (IdP entity ID)</label>
        <input id="idp-issuer" required value={form.issuerURI} onChange={(e) => set('issuerURI', e.target.value)} />
        <label htmlFor="idp-sso">SSO URL</label>
        <input
          id="idp-sso"
          required
          type="url"
          value={form.ssoTargetURI}
          onChange={(e) => set('ssoTargetURI', e.target.value)}
        />
        <label htmlFor="idp-binding">SSO Binding</label>
        <select id="idp-binding" value={form.ssoBinding} onChange={(e) => set('ssoBinding', e.target.value)}>
          {Object.entries(BINDINGS).map(([urn, label]) => (
            <option key={urn} value={urn}>
              {label}
            </option>
          ))}
        </select>
        <label htmlFor="idp-slo">Single Logout URL (optional)</label>
        <input
          id="idp-slo"
          type="url"
          value={form.sloURI ?? ''}
          onChange={(e) => set('sloURI', e.target.value || null)}
        />
        <label htmlFor="idp-slo-binding">Single Logout Binding</label>
        <select
          id="idp-slo-binding"
          value={form.sloBinding ?? ''}
          onChange={(e) => set('sloBinding', e.target.value || null)}
        >
          <option value="">None</option>
          {Object.entries(BINDINGS).map(([urn, label]) => (
            <option key={urn} value={urn}>
              {label}
            </option>
          ))}
        </select>
        <label htmlFor="idp-nameid">NameID Format</label>
        <select
          id="idp-nameid"
          value={form.nameIdentifierFormat ?? ''}
          onChange={(e) => set('nameIdentifierFormat', e.target.value || null)}
        >
          <option value="">Not set</option>
          {NAME_ID_FORMATS.map((f) => (
            <option key={f} value={f}>
              {f.split(':').pop()}
            </option>
          ))}
        </select>
        <label htmlFor="idp-rp">Relying Party Identifier (optional; default: Gatehouse's entity ID)</label>
        <input
          id="idp-rp"
          value={form.relyingPartyIdentifier ?? ''}
          onChange={(e) => set('relyingPartyIdentifier', e.target.value || null)}
        />

        <fieldset>
          <legend>
            Certificates ({form.certificates.length} of {MAX_CERTIFICATES})
          </legend>
          {form.certificates.length === 0 && (
            <p className="empty">
              No certificate yet: upload the IdP's metadata or its signing certificate. An enabled provider needs one.
            </p>
          )}
          <ul className="plain" aria-label="Certificates">
            {details.map((c, i) => (
              <li key={c.fingerprint256} className={c.expired || c.expiresSoon ? 'warning' : ''}>
                {c.subject}
                {c.notAfter ? ` · ${c.expired || c.expiresSoon ? '⚠ ' : ''}${expiryText(c)}` : ''}{' '}
                <button type="button" className="secondary" onClick={() => removeCertificate(i)}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          {form.certificates.length < MAX_CERTIFICATES && (
            <>
              <label htmlFor="idp-cert">Add certificate (PEM)</label>
              <input id="idp-cert" type="file" accept=".pem,.crt,.cer" onChange={onCertificate} />
            </>
          )}
        </fieldset>

        <fieldset>
          <legend>Logo (SVG, at most 25 KB)</legend>
          {logoShown && (
            <img
              alt="Identity provider logo"
              width={64}
              height={64}
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(logoShown)}`}
            />
          )}
          <label htmlFor="idp-logo">Upload logo</label>
          <input id="idp-logo" type="file" accept=".svg,image/svg+xml" onChange={onLogo} />
          {logoShown && (
            <button type="button" className="secondary" onClick={() => setDraft((d) => ({ ...d, logo: null }))}>
              Remove logo
            </button>
          )}
        </fieldset>

        <label className="inline">
          <input
            type="checkbox"
            checked={form.displayOnLogin}
            onChange={(e) => set('displayOnLogin', e.target.checked)}
          />{' '}
          Show on the login page
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={form.signAuthnRequests}
            onChange={(e) => set('signAuthnRequests', e.target.checked)}
          />{' '}
          Sign authentication requests
        </label>
        <label className="inline">
          <input type="checkbox" checked={form.disabled} onChange={(e) => set('disabled', e.target.checked)} /> Disabled
        </label>

        {notice.error && (
          <p role="alert" className="error">
            {notice.error}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>{' '}
          <Link to="/admin/integrations/sso">Cancel</Link>{' '}
          {existing && (
            <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          )}
        </div>
      </form>
      {confirmDelete && (
        <Confirm
          title="Delete identity provider"
          message={`People can no longer sign in through ${existing?.name ?? 'this provider'}.`}
          confirmLabel="Delete"
          danger
          onConfirm={remove}
          onCancel={() => setConfirmDelete(false)}
        />
      )}
    </>
  );
}
