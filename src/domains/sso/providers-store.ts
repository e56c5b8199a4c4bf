/**
 * Kysely store for identity providers, SSO settings and the org's SP credentials. Implements
 * IdentityProviderStore (model.ts) for the SAML flows; the admin service uses the row-level
 * methods. Every provider query but findByIssuer is scoped to an org.
 */
import type { Clock } from '../../platform/clock.ts';
import { openSecret, sealSecret } from '../../platform/crypto.ts';
import { serverKey } from '../../platform/server-keys.ts';
import type { Db, Executor } from '../../storage/db.ts';
import type { SsoProviderRow, SsoSettingsRow } from '../../storage/schema.ts';
import type {
  IdentityProvider,
  IdentityProviderStore,
  ProviderType,
  SamlBinding,
  SpCredentials,
  SsoSettings,
} from './model.ts';
import { selfSignedCertificate } from './sp-credentials.ts';

export function providerFromRow(r: SsoProviderRow): IdentityProvider {
  return {
    id: r.id,
    orgId: r.org_id,
    providerType: r.provider_type as ProviderType,
    name: r.name,
    disabled: r.disabled === 1,
    issuerUri: r.issuer_uri,
    ssoTargetUri: r.sso_target_uri,
    ssoBinding: r.sso_binding as SamlBinding,
    sloUri: r.slo_uri,
    sloBinding: r.slo_binding as SamlBinding | null,
    nameIdentifierFormat: r.name_id_format,
    relyingPartyIdentifier: r.relying_party_identifier,
    signAuthnRequests: r.sign_authn_requests === 1,
    certificates: JSON.parse(r.certificates) as string[],
    logoSvg: r.logo_svg,
    displayOnLogin: r.display_on_login === 1,
    version: r.version,
    dateCreated: r.created_at,
    dateModified: r.modified_at,
  };
}

export function settingsFromRow(orgId: string, r: SsoSettingsRow | undefined): SsoSettings {
  return {
    orgId,
    ssoOnly: r ? r.sso_only === 1 : false,
    breakGlassUserId: r?.break_glass_user_id ?? null,
    redirectAllowList: r ? (JSON.parse(r.redirect_allow_list) as string[]) : [],
  };
}

/** The org's SP endpoints under the public URL (docs/sso.md). */
export function spEndpoints(orgId: string, publicUrl: string) {
  const base = `${publicUrl.replace(/\/$/, '')}/saml/${encodeURIComponent(orgId)}`;
  return { entityId: `${base}/metadata`, acsUrl: `${base}/acs`, sloUrl: `${base}/slo` };
}

export interface SsoStore extends IdentityProviderStore {
  findRow(db: Executor, orgId: string, id: string): Promise<SsoProviderRow | undefined>;
  findNamedRow(db: Executor, orgId: string, kind: string): Promise<SsoProviderRow | undefined>;
  listRows(db: Executor, orgId: string, offset: number, limit: number): Promise<SsoProviderRow[]>;
  count(db: Executor, orgId: string): Promise<number>;
  insert(db: Executor, row: SsoProviderRow): Promise<void>;
  update(db: Executor, orgId: string, id: string, patch: Partial<SsoProviderRow>): Promise<void>;
  remove(db: Executor, orgId: string, id: string): Promise<void>;
  settingsRow(db: Executor, orgId: string): Promise<SsoSettingsRow | undefined>;
  saveSettings(db: Executor, row: SsoSettingsRow): Promise<void>;
  /**
   * Locks the org's SSO settings row (created with the defaults when missing) until the
   * transaction ends, so concurrent provider creates of one org run one after the other.
   */
  lockOrg(trx: Executor, orgId: string, now: string): Promise<void>;
  /** The organization the public login page names (case-insensitive; null when the name is unknown or shared by several), or the only one when no name is given. */
  loginOrganization(name: string | undefined): Promise<{ id: string; name: string } | null>;
  /** The active user of an org with this email (case-insensitive), for SAML logins. */
  activeUserByEmail(orgId: string, email: string): Promise<{ id: string } | null>;
}

export function createIdentityProviderStore({ db, clock }: { db: Db; clock: Clock }): SsoStore {
  let sealKey: Promise<string> | null = null;
  const key = () => {
    sealKey ??= serverKey(db, 'sso-sp-seal', clock.now()).catch((e) => {
      sealKey = null;
      throw e;
    });
    return sealKey;
  };

  const store: SsoStore = {
    findRow: (x, orgId, id) =>
      x.selectFrom('sso_providers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    findNamedRow: (x, orgId, kind) =>
      x
        .selectFrom('sso_providers')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('named_kind', '=', kind)
        .executeTakeFirst(),
    listRows: (x, orgId, offset, limit) =>
      x
        .selectFrom('sso_providers')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('name')
        .orderBy('id')
        .offset(offset)
        .limit(limit)
        .execute(),
    count: async (x, orgId) =>
      Number(
        (
          await x
            .selectFrom('sso_providers')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('org_id', '=', orgId)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    insert: async (x, row) => void (await x.insertInto('sso_providers').values(row).execute()),
    update: async (x, orgId, id, patch) =>
      void (await x.updateTable('sso_providers').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute()),
    remove: async (x, orgId, id) =>
      void (await x.deleteFrom('sso_providers').where('org_id', '=', orgId).where('id', '=', id).execute()),
    settingsRow: (x, orgId) => x.selectFrom('sso_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst(),
    saveSettings: async (x, row) =>
      void (await x
        .insertInto('sso_settings')
        .values(row)
        .onConflict((oc) =>
          oc.column('org_id').doUpdateSet({
            sso_only: row.sso_only,
            break_glass_user_id: row.break_glass_user_id,
            redirect_allow_list: row.redirect_allow_list,
            modified_at: row.modified_at,
          }),
        )
        .execute()),

    async lockOrg(x, orgId, now) {
      // An upsert that changes nothing still takes the row lock (PostgreSQL); SQLite transactions are serialized already.
      await x
        .insertInto('sso_settings')
        .values({ org_id: orgId, sso_only: 0, break_glass_user_id: null, redirect_allow_list: '[]', modified_at: now })
        .onConflict((oc) => oc.column('org_id').doUpdateSet((eb) => ({ sso_only: eb.ref('sso_settings.sso_only') })))
        .execute();
    },

    async activeUserByEmail(orgId, email) {
      const row = await db
        .selectFrom('users')
        .select(['id'])
        .where('org_id', '=', orgId)
        .where('email_key', '=', email.trim().toLowerCase())
        .where('state', '=', 'active')
        .executeTakeFirst();
      return row ?? null;
    },

    async loginOrganization(name) {
      if (name === undefined) {
        const two = await db.selectFrom('organizations').select(['id', 'name']).orderBy('id').limit(2).execute();
        return two.length === 1 ? two[0] : null;
      }
      // Organization names are not unique: a name shared by several (in any letter case) names none.
      const rows = await db
        .selectFrom('organizations')
        .select(['id', 'name'])
        .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()))
        .orderBy('id')
        .limit(2)
        .execute();
      return rows.length === 1 ? rows[0] : null;
    },

    async list(orgId, page) {
      const offset = (page.pageNumber - 1) * page.pageSize;
      const [rows, total] = await Promise.all([
        store.listRows(db, orgId, offset, page.pageSize),
        store.count(db, orgId),
      ]);
      return { entities: rows.map(providerFromRow), total };
    },
    async get(orgId, id) {
      const row = await store.findRow(db, orgId, id);
      return row ? providerFromRow(row) : null;
    },
    async findByIssuer(issuerUri) {
      const rows = await db
        .selectFrom('sso_providers')
        .selectAll()
        .where('issuer_uri', '=', issuerUri)
        .where('disabled', '=', 0)
        .orderBy('org_id')
        .orderBy('id')
        .execute();
      return rows.map(providerFromRow);
    },
    async enabledFor(orgId) {
      const rows = await db
        .selectFrom('sso_providers')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('disabled', '=', 0)
        .orderBy('name')
        .orderBy('id')
        .execute();
      return rows.map(providerFromRow);
    },
    async settings(orgId) {
      return settingsFromRow(orgId, await store.settingsRow(db, orgId));
    },
    async spCredentials(orgId, publicUrl): Promise<SpCredentials> {
      const sealing = await key();
      let row = await db.selectFrom('sso_sp_credentials').selectAll().where('org_id', '=', orgId).executeTakeFirst();
      if (!row) {
        const now = clock.now();
        const signing = await selfSignedCertificate(`Gatehouse SAML signing ${orgId}`, now);
        const encryption = await selfSignedCertificate(`Gatehouse SAML encryption ${orgId}`, now);
        await db
          .insertInto('sso_sp_credentials')
          .values({
            org_id: orgId,
            signing_key_sealed: sealSecret(sealing, signing.privateKeyPem),
            signing_cert: signing.certificatePem,
            encryption_key_sealed: sealSecret(sealing, encryption.privateKeyPem),
            encryption_cert: encryption.certificatePem,
            created_at: now.toISOString(),
          })
          .onConflict((oc) => oc.column('org_id').doNothing())
          .execute();
        // Concurrent first calls: whichever insert won is what everyone returns.
        row = await db
          .selectFrom('sso_sp_credentials')
          .selectAll()
          .where('org_id', '=', orgId)
          .executeTakeFirstOrThrow();
      }
      return {
        ...spEndpoints(orgId, publicUrl),
        signing: { privateKeyPem: openSecret(sealing, row.signing_key_sealed), certificatePem: row.signing_cert },
        encryption: {
          privateKeyPem: openSecret(sealing, row.encryption_key_sealed),
          certificatePem: row.encryption_cert,
        },
      };
    },
  };
  return store;
}
