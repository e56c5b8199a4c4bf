/**
 * The SCIM User resource ↔ what is stored: the directory's users row (userName = email,
 * displayName = name, title, department, active = state, meta.version = version), the
 * scim_users row (externalId, name parts, enterprise fields, the other attributes as JSON) and the
 * index rows filters search (emails, phone numbers, Genesys externalIds).
 */
import type { GroupRow, ScimUserRow, UserRow } from '../../storage/schema.ts';
import { invalidValue } from './errors.ts';
import { getAttr } from './filter/index.ts';
import { ENTERPRISE_USER_URN, GENESYS_USER_URN, USER_SCHEMA_URN } from './patch/index.ts';
import { toE164 } from './phones.ts';

type Json = Record<string, unknown>;

/** The immutable authority upstream always lists in externalIds, carrying the SCIM externalId. */
export const SCIM_AUTHORITY = 'x-pc:scimv2:v1';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/**
 * Upstream's typed phone slots, plus RFC 7643 §4.1.2's canonical `fax` and `pager`, which upstream
 * has no slot for: those are kept on the SCIM resource (and its filter index) and answered back.
 */
const PHONE_TYPES = [
  'work',
  'work2',
  'work3',
  'work4',
  'home',
  'mobile',
  'other',
  'microsoftteams',
  'zoomphone',
  'eightbyeight',
  'ringcentral',
  'fax',
  'pager',
];
/**
 * Email types: `work` is upstream's slot, `other` is the userName itself; the RFC's canonical `home`
 * is kept on the SCIM resource and answered back.
 */
const EMAIL_TYPES = ['work', 'home'];
/** RFC 7643 §4.1.2 address types and the string sub-attributes of an address. */
const ADDRESS_TYPES = ['work', 'home', 'other'];
const ADDRESS_PARTS = ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country'];
/** RFC 7643 §4.1.1 name sub-attributes (all strings). */
const NAME_PARTS = ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'];
const MAX_ROUTING = 50;
/**
 * Widths of the columns the strings are stored in (migrations 0001 and 0009), so that both
 * dialects refuse what PostgreSQL cannot store (SQLite would keep it silently). Emails are held to
 * RFC 5321's 254 characters, which leaves room in the 320-character email_key for the
 * `#deleted:<id>` suffix a deleted user's key gets.
 */
export const MAX_TEXT = 255;
export const MAX_EMAIL = 254;
export const MAX_PHONE = 64;

/** With the `u` flag a surrogate pair is one code point: only unpaired surrogates match. */
export const LONE_SURROGATE = /\p{Cs}/u;

export const etagOf = (version: number) => `W/"${version}"`;

export interface StoredUser {
  user: UserRow;
  scim: ScimUserRow | undefined;
  divisionName: string;
  groups: Pick<GroupRow, 'id' | 'name'>[];
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The resource as answered: upstream's ScimV2User plus RFC 7643's `name` and `addresses` (beyond
 * upstream, which identity providers read back).
 */
export function toUserResource(s: StoredUser, base: string): Json {
  const { user, scim } = s;
  const attrs: Json = scim ? JSON.parse(scim.attributes) : {};
  const work = (attrs.emails as Json[] | undefined) ?? [];
  const emails = [{ value: user.email, type: 'other', primary: !work.some((e) => e.primary === true) }, ...work];
  const enterprise: Json = {
    ...(isObject(attrs.enterprise) ? attrs.enterprise : {}),
    division: s.divisionName,
    ...(user.department ? { department: user.department } : {}),
    ...(scim?.employee_number ? { employeeNumber: scim.employee_number } : {}),
    ...(scim?.manager_id
      ? { manager: { value: scim.manager_id, $ref: `${base}/api/v2/scim/v2/Users/${scim.manager_id}` } }
      : {}),
  };
  const genesys: Json = { ...(isObject(attrs.genesys) ? attrs.genesys : {}) };
  const externalIds = [
    ...(scim?.external_id ? [{ authority: SCIM_AUTHORITY, value: scim.external_id }] : []),
    ...((attrs.externalIds as Json[]) ?? []),
  ];
  if (externalIds.length) genesys.externalIds = externalIds;
  const name: Json = {
    ...(isObject(attrs.name) ? attrs.name : {}),
    ...(scim?.given_name ? { givenName: scim.given_name } : {}),
    ...(scim?.family_name ? { familyName: scim.family_name } : {}),
  };
  const resource: Json = {
    schemas: [USER_SCHEMA_URN, ENTERPRISE_USER_URN, ...(Object.keys(genesys).length ? [GENESYS_USER_URN] : [])],
    id: user.id,
    ...(scim?.external_id ? { externalId: scim.external_id } : {}),
    userName: user.email,
    ...(Object.keys(name).length ? { name } : {}),
    displayName: user.name,
    ...(user.title ? { title: user.title } : {}),
    active: user.state === 'active',
    emails,
    ...(Array.isArray(attrs.phoneNumbers) && attrs.phoneNumbers.length ? { phoneNumbers: attrs.phoneNumbers } : {}),
    ...(Array.isArray(attrs.addresses) && attrs.addresses.length ? { addresses: attrs.addresses } : {}),
    groups: s.groups.map((g) => ({ value: g.id, $ref: `${base}/api/v2/scim/v2/Groups/${g.id}`, type: 'Group' })),
    [ENTERPRISE_USER_URN]: enterprise,
    ...(Object.keys(genesys).length ? { [GENESYS_USER_URN]: genesys } : {}),
    meta: {
      resourceType: 'User',
      lastModified: user.modified_at,
      location: `${base}/api/v2/scim/v2/Users/${user.id}`,
      version: etagOf(user.version),
    },
  };
  return resource;
}

/** What a resource asks to store; checked here, normalized (E.164, lower-case keys). */
export interface UserWrite {
  email: string;
  name: string;
  title: string | null;
  department: string | null;
  active: boolean;
  password?: string;
  divisionName?: string;
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  employeeNumber: string | null;
  managerId: string | null;
  /** JSON for scim_users.attributes. */
  attributes: Json;
  emails: { type: string | null; value: string; primary: boolean }[];
  phones: { type: string | null; value: string; primary: boolean }[];
  externalIds: { authority: string; value: string }[];
}

function list(v: unknown, what: string): Json[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every(isObject)) throw invalidValue(`"${what}" must be an array of objects.`);
  return v;
}

function bool(v: unknown, what: string, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  // Entra sends booleans as "True"/"False".
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw invalidValue(`"${what}" must be true or false, not ${JSON.stringify(v)}.`);
}

/** A string to store: no NUL (no database text holds one) and no longer than its column. */
export function checkText(v: string, what: string, max = MAX_TEXT): string {
  if (v.includes('\u0000')) throw invalidValue(`"${what}" must not contain a NUL character (\\u0000).`);
  // A lone UTF-16 surrogate is no character: SQLite and PostgreSQL would store it differently.
  if (LONE_SURROGATE.test(v)) throw invalidValue(`"${what}" must not contain a lone UTF-16 surrogate.`);
  const length = [...v].length;
  if (length > max) throw invalidValue(`"${what}" is ${length} characters long; at most ${max} are allowed.`);
  return v;
}

function optionalString(v: unknown, what: string, max = MAX_TEXT): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalidValue(`"${what}" must be a string.`);
  return checkText(v, what, max);
}

/** Reads a whole User resource (POST, PUT, or the result of a PATCH). */
export function fromUserResource(r: Json, phoneRegion: string): UserWrite {
  const userName = getAttr(r, 'userName');
  if (typeof userName !== 'string' || !EMAIL.test(userName.trim())) {
    throw invalidValue(`userName must be the user's email address, not ${JSON.stringify(userName ?? null)}.`);
  }
  checkText(userName.trim(), 'userName', MAX_EMAIL);
  const nameObj = readName(getAttr(r, 'name'));
  const displayName =
    optionalString(getAttr(r, 'displayName'), 'displayName') ??
    ([str(getAttr(nameObj ?? {}, 'givenName')), str(getAttr(nameObj ?? {}, 'familyName'))].filter(Boolean).join(' ') ||
      null);
  if (!displayName?.trim()) throw invalidValue('displayName is required.');
  checkText(displayName.trim(), 'displayName');
  const emails = list(getAttr(r, 'emails'), 'emails')
    .filter((e) => String(getAttr(e, 'type') ?? '').toLowerCase() !== 'other')
    .map((e) => {
      const value = getAttr(e, 'value');
      if (typeof value !== 'string' || !EMAIL.test(value.trim()))
        throw invalidValue(`Email ${JSON.stringify(value ?? null)} is not an email address.`);
      const type = optionalString(getAttr(e, 'type'), 'emails.type')?.toLowerCase() ?? 'work';
      if (!EMAIL_TYPES.includes(type))
        throw invalidValue(`Email type "${type}" is not supported; use "work" or "home" ("other" is the userName).`);
      return {
        type,
        value: checkText(value.trim(), 'emails.value', MAX_EMAIL),
        primary: bool(getAttr(e, 'primary'), 'emails.primary', false),
      };
    });
  const phones = list(getAttr(r, 'phoneNumbers'), 'phoneNumbers').map((p) => {
    const type = optionalString(getAttr(p, 'type'), 'phoneNumbers.type')?.toLowerCase() ?? 'work';
    if (!PHONE_TYPES.includes(type))
      throw invalidValue(`Phone number type "${type}" is not one of ${PHONE_TYPES.join(', ')}.`);
    const value = getAttr(p, 'value');
    if (typeof value === 'string') checkText(value, 'phoneNumbers.value', 1024);
    return {
      type,
      value: checkText(toE164(value, phoneRegion), 'phoneNumbers.value', MAX_PHONE),
      primary: bool(getAttr(p, 'primary'), 'phoneNumbers.primary', false),
    };
  });
  const ent = getAttr(r, ENTERPRISE_USER_URN);
  const enterprise = isObject(ent) ? ent : {};
  const manager = getAttr(enterprise, 'manager');
  const managerId = isObject(manager)
    ? optionalString(getAttr(manager, 'value'), 'manager.value')
    : optionalString(manager, 'manager');
  const dateHire = optionalString(getAttr(enterprise, 'dateHire'), 'dateHire');
  if (dateHire && Number.isNaN(Date.parse(dateHire)))
    throw invalidValue(`dateHire "${dateHire}" is not a date (YYYY-MM-DD).`);
  const gen = getAttr(r, GENESYS_USER_URN);
  const genesys = isObject(gen) ? gen : {};
  const routing = (key: string) => {
    const items = list(getAttr(genesys, key), key);
    if (items.length > MAX_ROUTING) throw invalidValue(`${key} holds at most ${MAX_ROUTING} entries.`);
    return items.map((i) => {
      const n = getAttr(i, 'name');
      const proficiency = getAttr(i, 'proficiency');
      if (typeof n !== 'string' || !n) throw invalidValue(`Every ${key} entry needs a "name".`);
      if (proficiency !== undefined && (typeof proficiency !== 'number' || proficiency < 0 || proficiency > 5)) {
        throw invalidValue(`${key} "${n}": proficiency must be a number from 0 to 5.`);
      }
      return { name: n, ...(proficiency !== undefined ? { proficiency } : {}) };
    });
  };
  const externalIds = list(getAttr(genesys, 'externalIds'), 'externalIds')
    .map((x) => ({ authority: getAttr(x, 'authority'), value: getAttr(x, 'value') }))
    .filter((x) => !(typeof x.authority === 'string' && x.authority.startsWith(SCIM_AUTHORITY)))
    .map((x) => {
      if (typeof x.authority !== 'string' || !x.authority || typeof x.value !== 'string' || !x.value) {
        throw invalidValue('Every externalIds entry needs an "authority" and a "value".');
      }
      return {
        authority: checkText(x.authority, 'externalIds.authority'),
        value: checkText(x.value, 'externalIds.value'),
      };
    });
  const addresses = readAddresses(getAttr(r, 'addresses'));
  const skills = routing('routingSkills');
  const languages = routing('routingLanguages');
  const password = getAttr(r, 'password');
  const attributes: Json = {
    ...(nameObj ? { name: stripKeys(nameObj, ['givenName', 'familyName']) } : {}),
    ...(emails.length ? { emails: emails.map((e) => ({ value: e.value, type: e.type, primary: e.primary })) } : {}),
    ...(phones.length
      ? { phoneNumbers: phones.map((p) => ({ value: p.value, type: p.type, primary: p.primary })) }
      : {}),
    ...(addresses.length ? { addresses } : {}),
    ...(dateHire ? { enterprise: { dateHire: dateHire.slice(0, 10) } } : {}),
    ...(skills.length || languages.length
      ? {
          genesys: {
            ...(skills.length ? { routingSkills: skills } : {}),
            ...(languages.length ? { routingLanguages: languages } : {}),
          },
        }
      : {}),
    ...(externalIds.length ? { externalIds } : {}),
  };
  return {
    email: userName.trim(),
    name: displayName.trim(),
    title: optionalString(getAttr(r, 'title'), 'title'),
    department: optionalString(getAttr(enterprise, 'department'), 'department'),
    active: bool(getAttr(r, 'active'), 'active', true),
    ...(typeof password === 'string' && password ? { password } : {}),
    divisionName: optionalString(getAttr(enterprise, 'division'), 'division') ?? undefined,
    externalId: optionalString(getAttr(r, 'externalId'), 'externalId'),
    givenName: optionalString(getAttr(nameObj ?? {}, 'givenName'), 'name.givenName'),
    familyName: optionalString(getAttr(nameObj ?? {}, 'familyName'), 'name.familyName'),
    employeeNumber: optionalString(getAttr(enterprise, 'employeeNumber'), 'employeeNumber'),
    managerId,
    attributes,
    emails: [{ type: 'other', value: userName.trim(), primary: !emails.some((e) => e.primary) }, ...emails],
    phones,
    externalIds,
  };
}

/** RFC 7643 §4.1.1 `name`: a complex attribute of strings (`"name": "Bob"` is refused, not dropped). */
function readName(v: unknown): Json | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v))
    throw invalidValue(`"name" must be an object such as {"givenName": "…"}, not ${JSON.stringify(v)}.`);
  const out: Json = {};
  for (const [key, part] of Object.entries(v)) {
    const canonical = NAME_PARTS.find((p) => p.toLowerCase() === key.toLowerCase());
    // Unknown sub-attributes are ignored (RFC 7644 §3.3 lets a provider drop what it does not keep).
    if (!canonical) continue;
    const text = optionalString(part, `name.${canonical}`);
    if (text !== null) out[canonical] = text;
  }
  return out;
}

/** RFC 7643 §4.1.2 `addresses`: kept on the SCIM resource and answered back (upstream has no slot). */
function readAddresses(v: unknown): Json[] {
  return list(v, 'addresses').map((a) => {
    const out: Json = {};
    for (const [key, part] of Object.entries(a)) {
      const lower = key.toLowerCase();
      const canonical = ADDRESS_PARTS.find((p) => p.toLowerCase() === lower);
      if (canonical) {
        const text = optionalString(part, `addresses.${canonical}`);
        if (text !== null) out[canonical] = text;
      } else if (lower === 'type') {
        const type = optionalString(part, 'addresses.type')?.toLowerCase();
        if (type && !ADDRESS_TYPES.includes(type))
          throw invalidValue(`Address type "${type}" is not one of ${ADDRESS_TYPES.join(', ')}.`);
        if (type) out.type = type;
      } else if (lower === 'primary') out.primary = bool(part, 'addresses.primary', false);
    }
    return out;
  });
}

function stripKeys(o: Json, keys: string[]): Json {
  const lower = keys.map((k) => k.toLowerCase());
  return Object.fromEntries(Object.entries(o).filter(([k]) => !lower.includes(k.toLowerCase())));
}

/**
 * Flat snapshot for audit property changes: everything the identity provider can change. A
 * password never enters it; `passwordSet` adds an `authentication: password set` marker instead
 * (audit properties may not be named after secrets). `divisionName`: the division the write
 * leaves the user in.
 */
export function auditSnapshot(w: UserWrite, divisionName: string | null, passwordSet = false) {
  const genesys = isObject(w.attributes.genesys) ? w.attributes.genesys : {};
  const enterprise = isObject(w.attributes.enterprise) ? w.attributes.enterprise : {};
  const routing = (key: string) =>
    ((genesys[key] as { name: string; proficiency?: number }[] | undefined) ?? []).map(
      (r) => `${r.name}:${r.proficiency ?? ''}`,
    );
  return {
    userName: w.email,
    displayName: w.name,
    title: w.title,
    department: w.department,
    division: divisionName,
    active: w.active,
    externalId: w.externalId,
    'name.givenName': w.givenName,
    'name.familyName': w.familyName,
    employeeNumber: w.employeeNumber,
    manager: w.managerId,
    dateHire: typeof enterprise.dateHire === 'string' ? enterprise.dateHire : null,
    emails: w.emails.filter((e) => e.type !== 'other').map((e) => `${e.type}:${e.value}${e.primary ? ':primary' : ''}`),
    phoneNumbers: w.phones.map((p) => `${p.type}:${p.value}${p.primary ? ':primary' : ''}`),
    routingSkills: routing('routingSkills'),
    routingLanguages: routing('routingLanguages'),
    externalIds: w.externalIds.map((x) => `${x.authority}:${x.value}`),
    ...(passwordSet ? { authentication: 'password set' } : {}),
  };
}
