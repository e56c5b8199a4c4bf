/**
 * The Database interface: one row type per table. Timestamps are ISO-8601 UTC strings,
 * booleans are 0/1 integers and JSON columns hold text, so every dialect stores them alike.
 */
import type {
  ConversationRow,
  ConversationParticipantRow,
  RoutingQueueRow,
  RoutingQueueMemberRow,
  AnalyticsJobRow,
  ExternalContactRow,
  ExternalContactIdentifierRow,
  ExternalOrganizationRow,
  ConversationAttachmentRow,
} from './schema-contact-center.ts';

export type {
  ConversationRow,
  ConversationParticipantRow,
  RoutingQueueRow,
  RoutingQueueMemberRow,
  AnalyticsJobRow,
  ExternalContactRow,
  ExternalContactIdentifierRow,
  ExternalOrganizationRow,
  ConversationAttachmentRow,
} from './schema-contact-center.ts';

export type Flag = 0 | 1;

export interface OrganizationRow {
  id: string;
  name: string;
  domain: string;
  state: string;
  default_language: string;
  version: number;
  created_at: string;
  modified_at: string;
}

export interface DivisionRow {
  id: string;
  org_id: string;
  name: string;
  description: string;
  home: Flag;
  created_at: string;
  /** Set while the division is deleted (it can be restored). */
  deleted_at?: string | null;
}

export interface UserRow {
  id: string;
  org_id: string;
  email: string;
  /** Lower-cased email: the per-organization uniqueness key and the login lookup. */
  email_key: string;
  name: string;
  title: string | null;
  department: string | null;
  division_id: string;
  state: string;
  password_hash: string | null;
  service_account: Flag;
  version: number;
  created_at: string;
  modified_at: string;
}

export interface RoleRow {
  id: string;
  org_id: string;
  name: string;
  name_key: string;
  description: string;
  /** JSON array of `domain:entity:action` strings (entity and action may be `*`). */
  permissions: string;
  is_default: Flag;
  created_at: string;
  modified_at: string;
}

export interface RoleGrantRow {
  org_id: string;
  /** `user` or `client`. */
  subject_type: string;
  subject_id: string;
  role_id: string;
  division_id: string;
}

/** Upstream's `authorizedGrantType` values, as stored in oauth_clients.grant_type. */
export type AuthorizedGrantType = 'CODE' | 'TOKEN' | 'SAML2-BEARER' | 'PASSWORD' | 'CLIENT-CREDENTIALS';

export interface OAuthClientRow {
  id: string;
  org_id: string;
  name: string;
  description: string;
  grant_type: AuthorizedGrantType;
  /** Keyed hash of the secret (never the secret); null for public clients. */
  secret_hash: string | null;
  token_ttl: number;
  redirect_uris: string;
  scopes: string;
  state: string;
  /** The service-account user a client-credentials client acts as, if any. */
  service_user_id: string | null;
  /** 1 for the console's own client, whose requests are not metered. */
  internal: Flag;
  date_to_delete: string | null;
  created_by: string | null;
  modified_by: string | null;
  created_at: string;
  modified_at: string;
  /** The division the client belongs to (null reads as the organization's home division). */
  division_id?: string | null;
  /** Requests per minute to the SCIM paths (null: the server's default); migration 0023. */
  scim_rate_limit?: number | null;
}

/** A revoked access token (kind `token`) or a revoked code grant family (kind `grant`). */
export interface TokenRevocationRow {
  subject_id: string;
  kind: string;
  org_id: string;
  revoked_at: string;
  /** When every token this revocation could stop has expired; the row may then be purged. */
  expires_at: string;
}

/** An application authorized in an organization: Requested (Pending) → Authorized → Revoked. */
export interface OAuthAuthorizationRow {
  id: string;
  org_id: string;
  client_id: string;
  scopes: string;
  state: string;
  created_by: string | null;
  modified_by: string | null;
  created_at: string;
  modified_at: string;
}

export interface OAuthCodeRow {
  code_hash: string;
  grant_id: string;
  org_id: string;
  client_id: string;
  user_id: string;
  authorization_id: string;
  redirect_uri: string;
  scopes: string;
  code_challenge: string | null;
  expires_at: string;
  used_at: string | null;
}

export interface RefreshTokenRow {
  id: string;
  token_hash: string;
  grant_id: string;
  org_id: string;
  client_id: string;
  user_id: string;
  authorization_id: string;
  scopes: string;
  issued_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
  /** 1 when the grant began with the client's secret: refreshing it then needs the secret too. */
  confidential: number;
}

export interface AuditEventRow {
  /** Time-ordered UUID (v7), so id order is creation order. */
  id: string;
  org_id: string;
  service_name: string;
  entity_type: string;
  entity_id: string;
  entity_name: string | null;
  action: string;
  actor_type: string;
  actor_user_id: string | null;
  actor_client_id: string | null;
  remote_ip: string | null;
  /** JSON array of {property, oldValues, newValues}. */
  changes: string;
  /** JSON object of free-form context. */
  context: string;
  cause_event_id: string | null;
  occurred_at: string;
}

/** An asynchronous audit query: Queued → Running → Succeeded | Failed. */
export interface AuditQueryRow {
  id: string;
  org_id: string;
  state: string;
  interval: string;
  service_name: string | null;
  filters: string;
  sort: string;
  total: number | null;
  error: string | null;
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
}

/** Where an organization's audit events are streamed: an HTTPS webhook or a NATS JetStream subject. */
export interface AuditStreamRow {
  id: string;
  org_id: string;
  name: string;
  /** `webhook` or `nats`. */
  type: string;
  /** The webhook URL, or the NATS subject. */
  target: string;
  /** The webhook signing secret, sealed under a server key (null for NATS). */
  sealed_secret: string | null;
  /** `active` (events are queued and delivered) or `disabled` (nothing is queued or sent). */
  state: string;
  /** bigint: a string on PostgreSQL. */
  delivered_count: number | string;
  last_delivered_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  created_at: string;
  modified_at: string;
}

/** One event still to deliver to one stream (the outbox), written in the event's transaction. */
export interface AuditDeliveryRow {
  stream_id: string;
  event_id: string;
  attempts: number;
  next_attempt_at: string;
  /** A dispatcher holds the row until then; '' when no one does. */
  lease_until: string;
}

/** Counts of one (organization, UTC hour, client, user, method, URL template). bigint: strings on PostgreSQL. */
export interface ApiUsageHourlyRow {
  org_id: string;
  /** The hour's start, ISO-8601 UTC (`2026-11-22T13:00:00.000Z`). */
  hour: string;
  client_id: string;
  /** '' for a client-credentials token without a user. */
  user_id: string;
  method: string;
  template: string;
  client_name: string;
  requests: number | string;
  status200: number | string;
  status300: number | string;
  status400: number | string;
  status429: number | string;
  status500: number | string;
}

/** The hourly counts summed by UTC day (`day` is `2026-11-22`), kept at each meter flush (0011_usage_daily). */
export interface ApiUsageDailyRow extends Omit<ApiUsageHourlyRow, 'hour'> {
  day: string;
}

/** api_usage_daily summed per client (organization-wide reports by client). */
export type ApiUsageDailyClientRow = Omit<ApiUsageDailyRow, 'user_id' | 'method' | 'template'>;

/** api_usage_daily summed per method and URL template (organization-wide totals and reports by URL). */
export type ApiUsageDailyTemplateRow = Omit<ApiUsageDailyRow, 'user_id' | 'client_id' | 'client_name'>;

/** A usage query execution: Running → Complete | Failed. */
export interface UsageQueryRow {
  id: string;
  org_id: string;
  /** Set for the per-client queries of /api/v2/oauth/clients/{clientId}/usage. */
  client_id: string | null;
  /** `query` (ApiUsage…Query) or `simplesearch`. */
  kind: string;
  query: string;
  state: string;
  /** JSON array of result rows once Complete. */
  result: string | null;
  error: string | null;
  created_at: string;
}

export interface UserPreferenceRow {
  user_id: string;
  key: string;
  /** JSON. */
  value: string;
  modified_at: string;
}

export interface ServerKeyRow {
  name: string;
  value: string;
  created_at: string;
}

export interface SsoProviderRow {
  id: string;
  org_id: string;
  provider_type: string;
  /** The upstream kind for the named singleton providers (okta, adfs, …); null for custom ones. */
  named_kind: string | null;
  name: string;
  disabled: number;
  issuer_uri: string;
  sso_target_uri: string;
  sso_binding: string;
  slo_uri: string | null;
  slo_binding: string | null;
  name_id_format: string | null;
  relying_party_identifier: string | null;
  sign_authn_requests: number;
  /** JSON array of PEM certificates. */
  certificates: string;
  logo_svg: string | null;
  display_on_login: number;
  version: number;
  created_by: string | null;
  modified_by: string | null;
  created_at: string;
  modified_at: string;
}

export interface SsoSettingsRow {
  org_id: string;
  sso_only: number;
  break_glass_user_id: string | null;
  /** JSON array of URLs. */
  redirect_allow_list: string;
  modified_at: string;
}

export interface SsoSpCredentialsRow {
  org_id: string;
  signing_key_sealed: string;
  signing_cert: string;
  encryption_key_sealed: string;
  encryption_cert: string;
  created_at: string;
}

/** A used SAML2-bearer grant assertion (migration 0014): key = sha256(issuer, assertion ID). */
export interface SsoBearerAssertionRow {
  key: string;
  org_id: string;
  expires_at: string;
}

/** A request sent to an IdP, awaiting its one answer (migration 0010). kind: 'authn' | 'logout'. */
export interface SsoRequestRow {
  id: string;
  kind: string;
  relay_state: string;
  org_id: string;
  provider_id: string;
  return_to: string;
  created_at: string;
  expires_at: string;
}

/** A used browser-SSO assertion (migration 0010): key = sha256(issuer, assertion ID). */
export interface SsoAssertionRow {
  key: string;
  org_id: string;
  expires_at: string;
}

/** A console session created by a SAML login (migration 0010). */
export interface SsoSessionRow {
  token_id: string;
  org_id: string;
  user_id: string;
  provider_id: string;
  name_id: string;
  name_id_format: string | null;
  session_index: string | null;
  /** JSON array of OAuth client ids, or null. */
  authorized_client_ids: string | null;
  created_at: string;
  expires_at: string;
}

/** SCIM attributes of a directory user (migration 0009). */
export interface ScimUserRow {
  user_id: string;
  org_id: string;
  external_id: string | null;
  given_name: string | null;
  family_name: string | null;
  employee_number: string | null;
  manager_id: string | null;
  /** JSON: the SCIM attributes not held in columns (name, emails, phoneNumbers, extensions, …). */
  attributes: string;
  /** 1 once an identity provider has written the user through SCIM. */
  managed: Flag;
  created_at: string;
  modified_at: string;
}

/** One email or phone number of a SCIM user, for filters. */
export interface ScimUserValueRow {
  user_id: string;
  org_id: string;
  position: number;
  type: string | null;
  value: string;
  is_primary: Flag;
}

export interface ScimUserExternalIdRow {
  user_id: string;
  org_id: string;
  authority: string;
  value: string;
}

export interface GroupRow {
  id: string;
  org_id: string;
  name: string;
  /** Lower-cased name: unique per organization (Okta links groups by name, case-insensitively). */
  name_key: string;
  description: string | null;
  external_id: string | null;
  version: number;
  created_at: string;
  modified_at: string;
}

export interface GroupMemberRow {
  group_id: string;
  user_id: string;
  org_id: string;
  created_at: string;
}

/** A data-subject request (GDPR API); see migration 0018. */
export interface GdprRequestRow {
  id: string;
  org_id: string;
  name: string | null;
  /** GDPR_EXPORT | GDPR_UPDATE | GDPR_DELETE */
  request_type: string;
  /** INITIATED | SEARCHING | UPDATING | DELETING | FINALIZING | COMPLETED | ERROR */
  status: string;
  /** JSON: the GDPRSubject as submitted. */
  subject: string;
  /** JSON array of ReplacementTerm (GDPR_UPDATE only). */
  replacement_terms: string | null;
  created_by_user: string | null;
  created_by_client: string;
  remote_ip: string | null;
  /** JSON array: the directory users the request was found to be about, once it ran. */
  resolved_user_ids: string | null;
  /** Until when the process running the request holds it (ISO time); null before it first runs. */
  claimed_until: string | null;
  /** Which run holds the request: every write of a run names it, so a run that lost its lease writes nothing. */
  claim_token: string | null;
  /** JSON: the finished request's document (export data or counts). */
  results: string | null;
  error: string | null;
  created_at: string;
  modified_at: string;
  completed_at: string | null;
  /** The request this one was repeated from, for another contact of a merge set (migration 0027). */
  parent_request_id?: string | null;
}

export interface Database {
  organizations: OrganizationRow;
  divisions: DivisionRow;
  users: UserRow;
  roles: RoleRow;
  role_grants: RoleGrantRow;
  oauth_clients: OAuthClientRow;
  token_revocations: TokenRevocationRow;
  oauth_authorizations: OAuthAuthorizationRow;
  oauth_codes: OAuthCodeRow;
  refresh_tokens: RefreshTokenRow;
  audit_events: AuditEventRow;
  audit_queries: AuditQueryRow;
  audit_streams: AuditStreamRow;
  audit_deliveries: AuditDeliveryRow;
  api_usage_hourly: ApiUsageHourlyRow;
  api_usage_daily: ApiUsageDailyRow;
  api_usage_daily_clients: ApiUsageDailyClientRow;
  api_usage_daily_templates: ApiUsageDailyTemplateRow;
  usage_queries: UsageQueryRow;
  user_preferences: UserPreferenceRow;
  server_keys: ServerKeyRow;
  sso_providers: SsoProviderRow;
  sso_settings: SsoSettingsRow;
  sso_sp_credentials: SsoSpCredentialsRow;
  sso_bearer_assertions: SsoBearerAssertionRow;
  sso_requests: SsoRequestRow;
  sso_assertions: SsoAssertionRow;
  sso_sessions: SsoSessionRow;
  scim_users: ScimUserRow;
  scim_user_emails: ScimUserValueRow;
  scim_user_phones: ScimUserValueRow;
  scim_user_external_ids: ScimUserExternalIdRow;
  groups: GroupRow;
  group_members: GroupMemberRow;
  conversations: ConversationRow;
  conversation_participants: ConversationParticipantRow;
  routing_queues: RoutingQueueRow;
  routing_queue_members: RoutingQueueMemberRow;
  analytics_jobs: AnalyticsJobRow;
  gdpr_requests: GdprRequestRow;
  external_contacts: ExternalContactRow;
  external_contact_identifiers: ExternalContactIdentifierRow;
  external_organizations: ExternalOrganizationRow;
  conversation_attachments: ConversationAttachmentRow;
}
