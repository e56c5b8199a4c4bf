/**
 * The server-rendered pages of GET /oauth/authorize: login, consent, waiting for approval, and
 * errors that must not redirect. Every value is HTML-escaped; the pages load nothing external.
 */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font-family:system-ui,sans-serif;background:#f5f7fa;color:#1d2733;display:grid;place-items:center;min-height:100vh;margin:0}
main{background:#fff;border:1px solid #d9dee5;border-radius:10px;padding:2rem;width:24rem}h1{font-size:1.3rem;margin-top:0}
label{display:block;font-weight:600;margin:.8rem 0 .3rem}input{width:100%;padding:.45rem;border:1px solid #d9dee5;border-radius:6px;font:inherit;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem;border-radius:6px;border:1px solid #1f5fbf;background:#1f5fbf;color:#fff;font:inherit;cursor:pointer}
button.secondary{background:#fff;color:#1f5fbf}.providers{display:grid;gap:.5rem;margin-bottom:1rem}
a.idp{display:flex;align-items:center;gap:.5rem;padding:.5rem .8rem;border:1px solid #d9dee5;border-radius:6px;color:#1d2733;text-decoration:none}
a.idp:hover{border-color:#1f5fbf}details.more>summary,details.break-glass>summary{cursor:pointer;color:#1f5fbf;margin:.4rem 0}details.more a.idp{margin-top:.4rem}.or{color:#5b6675;text-align:center}.error{color:#b3261e}ul{padding-left:1.2rem}code{background:#eef1f5;padding:0 .2rem}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Gatehouse</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

const hidden = (params: Record<string, string>) =>
  Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');

/** SSO on the login page, injected from the composition root (oauth does not import sso). */
export interface LoginPageSso {
  ssoOnly: boolean;
  providers: { id: string; name: string; logo: string | null; loginUrl: string }[];
}

/** The password-login policy and login options of an organization (docs/sso.md "SSO-only mode and break-glass"). */
export interface LoginPolicyHook {
  loginOptions(orgId: string): Promise<LoginPageSso>;
  /** Throws an ApiError when this user may not sign in with a password (SSO-only mode). */
  checkPasswordLogin(orgId: string, userId: string): Promise<void>;
}

/** Up to this many providers are buttons; the rest are in "More sign-in options". */
export const MAX_PROVIDER_BUTTONS = 6;

function providerLink(p: LoginPageSso['providers'][number], returnTo: string, cls: string) {
  const href = `${p.loginUrl}?${new URLSearchParams({ returnTo })}`;
  const logo = p.logo ? `<img src="${esc(p.logo)}" alt="" width="20" height="20">` : '';
  return `<a class="${cls}" href="${esc(href)}">${logo}<span>${esc(p.name)}</span></a>`;
}

function providerButtons(sso: LoginPageSso, returnTo: string) {
  if (sso.providers.length === 0) return '';
  const buttons = sso.providers
    .slice(0, MAX_PROVIDER_BUTTONS)
    .map((p) => providerLink(p, returnTo, 'idp'))
    .join('');
  const rest = sso.providers.slice(MAX_PROVIDER_BUTTONS);
  const more = rest.length
    ? `<details class="more"><summary>More sign-in options</summary>${rest.map((p) => providerLink(p, returnTo, 'idp')).join('')}</details>`
    : '';
  return `<nav class="providers" aria-label="Single sign-on">${buttons}${more}</nav>`;
}

export function loginPage(o: {
  clientName: string;
  params: Record<string, string>;
  error?: string;
  email?: string;
  askOrganization?: boolean;
  sso?: LoginPageSso | null;
  /** The login form's CSRF token (login-csrf.ts). */
  csrf: string;
}) {
  const returnTo = `/oauth/authorize?${new URLSearchParams(o.params)}`;
  const form = `<form method="post" action="/oauth/authorize/login">${hidden({ ...o.params, login_csrf: o.csrf })}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${esc(o.email ?? '')}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
${o.askOrganization ? '<label for="organization">Organization</label><input id="organization" name="organization" required>' : ''}
<button type="submit">Log in</button></form>`;
  const error = o.error ? `<p class="error" role="alert">${esc(o.error)}</p>` : '';
  const sso = o.sso ?? { ssoOnly: false, providers: [] };
  // SSO-only: the password form stays reachable, folded, for the break-glass administrator.
  const password = sso.ssoOnly
    ? `<details class="break-glass"${o.error ? ' open' : ''}><summary>Break-glass administrator sign-in</summary>${form}</details>`
    : `${sso.providers.length ? '<p class="or">or sign in with your password</p>' : ''}${form}`;
  return page(
    'Sign in',
    `<h1>Sign in to continue to ${esc(o.clientName)}</h1>
${error}${providerButtons(sso, returnTo)}${password}`,
  );
}

export function consentPage(o: {
  clientName: string;
  orgName: string;
  scopes: { id: string; description: string }[];
  params: Record<string, string>;
  csrf: string;
}) {
  const list = o.scopes.length
    ? `<ul>${o.scopes.map((s) => `<li><code>${esc(s.id)}</code> — ${esc(s.description)}</li>`).join('')}</ul>`
    : '<p>No API access beyond your identity.</p>';
  return page(
    'Authorize',
    `<h1>Authorize ${esc(o.clientName)}?</h1>
<p><strong>${esc(o.clientName)}</strong> asks to use Gatehouse on your behalf in <strong>${esc(o.orgName)}</strong> with:</p>${list}
<form method="post" action="/oauth/authorize/decision">${hidden({ ...o.params, csrf: o.csrf })}
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button></form>`,
  );
}

export function pendingPage(clientName: string) {
  return page(
    'Waiting for approval',
    `<h1>Waiting for approval</h1>
<p>${esc(clientName)} is not yet approved for your organization. An administrator must approve it under
Admin → Integrations → Authorized Applications; then try again.</p>`,
  );
}

export function errorPage(title: string, message: string) {
  return page(title, `<h1>${esc(title)}</h1><p class="error" role="alert">${esc(message)}</p>`);
}
