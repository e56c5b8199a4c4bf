/** The OAuth client form's own checks (the server's rules, said before a round trip) and field mapping. */

export type ClientField = 'name' | 'ttl' | 'grant' | 'redirects' | 'scope' | 'roles';
export type FieldErrors = Partial<Record<ClientField, string>>;

/** Which tab holds a field: the details, or the roles/scope (access) tab. */
export const TAB_OF: Record<ClientField, 'details' | 'access'> = {
  name: 'details',
  ttl: 'details',
  grant: 'details',
  redirects: 'details',
  scope: 'access',
  roles: 'access',
};

export function checkClientForm(f: {
  name: string;
  ttl: string;
  grant: string;
  scopes: string[];
  roleIds: string[];
  uris: string;
}): FieldErrors {
  const errors: FieldErrors = {};
  if (!f.name.trim()) errors.name = 'Enter an App Name.';
  const ttl = Number(f.ttl);
  if (!/^\d+$/.test(f.ttl.trim()) || ttl < 300 || ttl > 172_800)
    errors.ttl = 'Token Duration must be a whole number of seconds from 300 to 172,800.';
  if (!f.grant) errors.grant = 'Pick a grant type.';
  const browser = f.grant === 'CODE' || f.grant === 'TOKEN';
  if (browser && !f.uris.trim()) errors.redirects = 'Add at least one authorized redirect URI.';
  if (browser && f.scopes.length === 0)
    errors.scope = 'Pick at least one scope: a client without scopes can do nothing.';
  return errors;
}

/** The form field an API error names (upstream ErrorBody details[].fieldName). */
export function fieldOfApi(fieldName: string | undefined): ClientField | undefined {
  switch (fieldName) {
    case 'name':
      return 'name';
    case 'accessTokenValiditySeconds':
      return 'ttl';
    case 'authorizedGrantType':
      return 'grant';
    case 'registeredRedirectUri':
      return 'redirects';
    case 'scope':
      return 'scope';
    case 'roleDivisions':
      return 'roles';
    default:
      return undefined;
  }
}
