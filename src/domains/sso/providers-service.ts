/**
 * Identity-provider administration: CRUD in upstream shapes (custom providers by id, named ones
 * by kind), certificates (up to 5, each described with its expiry), sanitized SVG logos, SSO
 * settings and the org's SP metadata. Every change is audited in its transaction; certificates
 * may appear in events, private keys never.
 */
import { auditOrigin, diffProperties, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { ApiError, invalidValue, notFound } from '../../platform/errors/index.ts';
import { newId } from '../../platform/ids.ts';
import { hasPermission } from '../../platform/permissions.ts';
import { listing, type PageRequest } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Db, type Executor, isUniqueViolation, withTransaction } from '../../storage/db.ts';
import type { SsoProviderRow } from '../../storage/schema.ts';
import type { DirectoryService } from '../directory/index.ts';
import type { ProviderType, SamlBinding } from './model.ts';
import {
  BINDING_URN,
  BREAK_GLASS_PERMISSION,
  certificateDetails,
  DISPLAY_NAMES,
  MAX_CERTIFICATES,
  MAX_PROVIDERS,
  NAME_ID_FORMATS,
  type NamedKind,
  providerColumns,
  providerView,
  snapshot,
} from './provider-fields.ts';
import type { SsoStore } from './providers-store.ts';
import type { ParsedMetadata, ProviderBody, SpInfo, SsoSettingsBody } from './schemas.ts';
import { settingsFromRow } from './providers-store.ts';
import { parseIdpMetadata, spMetadata } from './saml/metadata.ts';
import { isSamlError } from './saml/errors.ts';

registerAuditEntity('Integrations', 'IdentityProvider', ['Create', 'Update', 'Delete']);
registerAuditEntity('Integrations', 'SsoSettings', ['Update']);

export interface ProviderServiceDeps {
  db: Db;
  clock: Clock;
  store: SsoStore;
  directory: DirectoryService;
  publicUrl: string;
}

export function createProviderService({ db, clock, store, directory, publicUrl }: ProviderServiceDeps) {
  async function audit(
    trx: Executor,
    caller: Caller | null,
    action: string,
    row: SsoProviderRow,
    changes: ReturnType<typeof diffProperties>,
  ) {
    await recordAudit(trx, clock, {
      orgId: row.org_id,
      serviceName: 'Integrations',
      entityType: 'IdentityProvider',
      entityId: row.id,
      entityName: row.name,
      action,
      ...auditOrigin(caller),
      changes,
    });
  }

  const tooMany = () =>
    invalidValue(
      'identityProvider',
      `An organization can have at most ${MAX_PROVIDERS} identity providers; delete one before adding another.`,
    );

  async function insert(orgId: string, caller: Caller | null, kind: NamedKind | null, body: ProviderBody) {
    // A provider created by POST has the type its body names (several of one type may coexist);
    // one created at a named path (PUT /identityproviders/okta) is that path's kind.
    const type = kind ?? body.providerType ?? 'generic';
    const cols = providerColumns(body, null, kind || body.providerType ? DISPLAY_NAMES[type] : '');
    const now = clock.now().toISOString();
    const userId = caller?.principal.userId ?? null;
    const row: SsoProviderRow = {
      id: newId(),
      org_id: orgId,
      provider_type: type,
      named_kind: kind,
      ...cols,
      version: 1,
      created_by: userId,
      modified_by: userId,
      created_at: now,
      modified_at: now,
    };
    try {
      await withTransaction(db, async (trx) => {
        // Serialized per org: two creates at 29 must not both see room for one more.
        await store.lockOrg(trx, orgId, now);
        if ((await store.count(trx, orgId)) >= MAX_PROVIDERS) throw tooMany();
        await store.insert(trx, row);
        await audit(trx, caller, 'Create', row, diffProperties(null, snapshot(row)));
      });
    } catch (e) {
      if (kind && isUniqueViolation(e))
        throw new ApiError(409, 'conflict', `The ${kind} identity provider was created concurrently; retry.`);
      throw e;
    }
    return row;
  }

  async function update(orgId: string, caller: Caller | null, before: SsoProviderRow, body: ProviderBody) {
    const cols = providerColumns(body, before, before.name);
    if (body.providerType !== undefined && body.providerType !== before.provider_type && before.named_kind) {
      throw invalidValue(
        'providerType',
        `The provider at /api/v2/identityproviders/${before.named_kind} is always of type ${before.named_kind}.`,
      );
    }
    const after: SsoProviderRow = {
      ...before,
      ...cols,
      provider_type: body.providerType ?? before.provider_type,
      version: before.version + 1,
      modified_by: caller?.principal.userId ?? null,
      modified_at: clock.now().toISOString(),
    };
    await withTransaction(db, async (trx) => {
      await store.update(trx, orgId, before.id, after);
      await audit(trx, caller, 'Update', after, diffProperties(snapshot(before), snapshot(after)));
    });
    return after;
  }

  async function remove(orgId: string, caller: Caller | null, row: SsoProviderRow) {
    await withTransaction(db, async (trx) => {
      await store.remove(trx, orgId, row.id);
      await audit(trx, caller, 'Delete', row, diffProperties(snapshot(row), null));
    });
  }

  async function requireCustom(orgId: string, id: string) {
    const row = await store.findRow(db, orgId, id);
    if (!row) throw notFound('identity provider', id);
    return row;
  }

  async function requireNamed(orgId: string, kind: NamedKind) {
    const row = await store.findNamedRow(db, orgId, kind);
    if (!row) throw notFound('identity provider', kind);
    return row;
  }

  /**
   * SSO-only with a break-glass user who cannot sign in would lock the organization out of
   * password login altogether: the user must exist, be active, have a password, and be able to
   * turn SSO-only off again (sso:provider:edit).
   */
  async function checkBreakGlass(orgId: string, ssoOnly: boolean, breakGlass: string | null) {
    const user = breakGlass === null ? null : await directory.users.getRow(orgId, breakGlass).catch(() => null);
    if (breakGlass !== null && !user)
      throw invalidValue('breakGlassUserId', `breakGlassUserId ${breakGlass} is not a user of this organization.`);
    if (!ssoOnly) return;
    if (!user) {
      throw invalidValue(
        'breakGlassUserId',
        'SSO-only mode needs a break-glass user who can still sign in with a password.',
      );
    }
    let unusable: string | null = null;
    if (user.state !== 'active') unusable = `is ${user.state}, not active`;
    else if (!user.password_hash) unusable = 'has no password';
    else if (!hasPermission(await directory.roles.permissionsOf(orgId, user.id), BREAK_GLASS_PERMISSION))
      unusable = `does not hold ${BREAK_GLASS_PERMISSION}`;
    if (unusable) {
      throw invalidValue(
        'breakGlassUserId',
        `The break-glass user ${user.id} ${unusable}; SSO-only mode needs an active user with a password who holds ${BREAK_GLASS_PERMISSION}.`,
      );
    }
  }

  const view = (r: SsoProviderRow) => providerView(r, clock.now());

  return {
    async list(orgId: string, page: PageRequest, query: Record<string, unknown>) {
      const [rows, total] = await Promise.all([
        store.listRows(db, orgId, page.offset, page.pageSize),
        store.count(db, orgId),
      ]);
      return listing(rows.map(view), total, page, '/api/v2/identityproviders', query);
    },
    get: async (orgId: string, id: string) => view(await requireCustom(orgId, id)),
    create: async (orgId: string, caller: Caller | null, body: ProviderBody) =>
      view(await insert(orgId, caller, null, body)),
    update: async (orgId: string, caller: Caller | null, id: string, body: ProviderBody) =>
      view(await update(orgId, caller, await requireCustom(orgId, id), body)),
    remove: async (orgId: string, caller: Caller | null, id: string) =>
      remove(orgId, caller, await requireCustom(orgId, id)),

    getNamed: async (orgId: string, kind: NamedKind) => view(await requireNamed(orgId, kind)),
    /** PUT on a named kind creates it (sso:provider:add) or replaces it (sso:provider:edit). */
    async putNamed(orgId: string, caller: Caller | null, kind: NamedKind, body: ProviderBody) {
      const existing = await store.findNamedRow(db, orgId, kind);
      return view(existing ? await update(orgId, caller, existing, body) : await insert(orgId, caller, kind, body));
    },
    removeNamed: async (orgId: string, caller: Caller | null, kind: NamedKind) =>
      remove(orgId, caller, await requireNamed(orgId, kind)),

    /** What an IdP's metadata fills in, for review before save (nothing is stored). */
    parseMetadata(xml: string): ParsedMetadata {
      if (typeof xml !== 'string' || xml.trim() === '')
        throw invalidValue('metadata', 'metadata (the IdP metadata XML) is required.');
      let m: ReturnType<typeof parseIdpMetadata>;
      try {
        m = parseIdpMetadata(xml);
      } catch (e) {
        if (isSamlError(e)) throw invalidValue('metadata', `The metadata cannot be used: ${e.detail ?? e.message}.`);
        throw e;
      }
      // At most 5 are kept: unexpired ones first, latest expiry first (a stable order otherwise).
      const now = clock.now().getTime();
      const expired = (c: { notAfter: string }) => !(Date.parse(c.notAfter) > now);
      const ranked = [...m.certificates].sort((a, b) =>
        expired(a) !== expired(b) ? (expired(a) ? 1 : -1) : Date.parse(b.notAfter) - Date.parse(a.notAfter),
      );
      const certs = ranked.slice(0, MAX_CERTIFICATES).map((c) => c.pem);
      const dropped = ranked
        .slice(MAX_CERTIFICATES)
        .map(
          (c) =>
            `"${c.subject.replace(/\n/g, ', ')}" (${expired(c) ? 'expired' : 'expires'} ${c.notAfter.slice(0, 10)})`,
        );
      return {
        issuerURI: m.entityId,
        ssoTargetURI: m.ssoUrl,
        ssoBinding: BINDING_URN[m.ssoBinding],
        ...(m.sloUrl ? { sloURI: m.sloUrl } : {}),
        ...(m.sloBinding && m.sloBinding in BINDING_URN
          ? { sloBinding: BINDING_URN[m.sloBinding as SamlBinding] }
          : {}),
        ...(m.nameIdFormat && NAME_ID_FORMATS.includes(m.nameIdFormat) ? { nameIdentifierFormat: m.nameIdFormat } : {}),
        certificates: certs,
        certificateDetails: certificateDetails(certs, clock.now()),
        ...(dropped.length > 0
          ? {
              warnings: [
                `Only ${MAX_CERTIFICATES} of ${m.certificates.length} certificates were kept (unexpired first, latest expiry first); left out: ${dropped.join('; ')}.`,
              ],
            }
          : {}),
      };
    },

    async settings(orgId: string) {
      const s = await store.settings(orgId);
      return {
        ssoOnly: s.ssoOnly,
        breakGlassUserId: s.breakGlassUserId,
        redirectAllowList: s.redirectAllowList,
        selfUri: '/api/v2/identityproviders/settings',
      };
    },
    async putSettings(orgId: string, caller: Caller | null, body: SsoSettingsBody) {
      const before = await store.settings(orgId);
      const ssoOnly = body.ssoOnly ?? before.ssoOnly;
      const breakGlass = body.breakGlassUserId === undefined ? before.breakGlassUserId : body.breakGlassUserId || null;
      await checkBreakGlass(orgId, ssoOnly, breakGlass);
      const list = body.redirectAllowList ?? before.redirectAllowList;
      checkAllowList(list);
      const row = {
        org_id: orgId,
        sso_only: ssoOnly ? 1 : 0,
        break_glass_user_id: breakGlass,
        redirect_allow_list: JSON.stringify([...new Set(list)]),
        modified_at: clock.now().toISOString(),
      };
      const after = settingsFromRow(orgId, row);
      await withTransaction(db, async (trx) => {
        await store.saveSettings(trx, row);
        await recordAudit(trx, clock, {
          orgId,
          serviceName: 'Integrations',
          entityType: 'SsoSettings',
          entityId: orgId,
          entityName: 'SSO settings',
          action: 'Update',
          ...auditOrigin(caller),
          changes: diffProperties(
            {
              ssoOnly: before.ssoOnly,
              breakGlassUserId: before.breakGlassUserId,
              redirectAllowList: before.redirectAllowList,
            },
            {
              ssoOnly: after.ssoOnly,
              breakGlassUserId: after.breakGlassUserId,
              redirectAllowList: after.redirectAllowList,
            },
          ),
        });
      });
      return this.settings(orgId);
    },

    /** The org's SP metadata XML and its public certificates (never the private keys). */
    async spMetadataXml(orgId: string) {
      const c = await store.spCredentials(orgId, publicUrl);
      return spMetadata({
        entityId: c.entityId,
        acsUrl: c.acsUrl,
        sloUrl: c.sloUrl,
        signingCertPem: c.signing.certificatePem,
        encryptionCertPem: c.encryption.certificatePem,
        wantAssertionsSigned: true,
      });
    },
    async spCertificate(orgId: string, use: 'signing' | 'encryption') {
      const c = await store.spCredentials(orgId, publicUrl);
      return c[use].certificatePem;
    },
    async spInfo(orgId: string): Promise<SpInfo> {
      const c = await store.spCredentials(orgId, publicUrl);
      return {
        entityId: c.entityId,
        acsUrl: c.acsUrl,
        sloUrl: c.sloUrl,
        signingCertificate: {
          ...certificateDetails([c.signing.certificatePem], clock.now())[0],
          pem: c.signing.certificatePem,
        },
        encryptionCertificate: {
          ...certificateDetails([c.encryption.certificatePem], clock.now())[0],
          pem: c.encryption.certificatePem,
        },
        metadataUri: `/api/v2/identityproviders/sp/metadata`,
      };
    },
  };
}

/** redirectAllowList: at most 100 absolute https URLs. */
function checkAllowList(list: string[]) {
  if (!Array.isArray(list) || list.length > 100)
    throw invalidValue('redirectAllowList', 'redirectAllowList must be a list of at most 100 URLs.');
  list.forEach((u, i) => {
    let ok = false;
    try {
      ok = typeof u === 'string' && new URL(u).protocol === 'https:';
    } catch {}
    if (!ok) throw invalidValue(`redirectAllowList[${i}]`, `redirectAllowList[${i}] must be an absolute https URL.`);
  });
}

export type ProviderService = ReturnType<typeof createProviderService>;
export type ProviderKind = ProviderType;
