/** Who is calling: resolved from the bearer token (or console session) by the authenticate step. */
export interface Principal {
  readonly tokenId: string;
  readonly orgId: string;
  readonly orgName: string;
  readonly clientId: string;
  readonly clientName: string;
  /** The user the token acts for; null for a client-credentials token without a service user. */
  readonly userId: string | null;
  /** True for a client-credentials token (it acts for its client even with a service-account user). */
  readonly clientCredentials: boolean;
  readonly scopes: readonly string[];
  readonly permissions: readonly string[];
  /**
   * The same permissions per division id (a grant is a role in a division): what the caller may do
   * to objects of that division. Absent for the system principals built by jobs, which act in every division.
   */
  readonly divisionPermissions?: ReadonlyMap<string, readonly string[]>;
  /** The organization's home division: where objects without a division (null division_id) belong. */
  readonly homeDivisionId?: string;
  /** True for the console's own client: its requests are not metered. */
  readonly internal: boolean;
  /** The client's own SCIM requests-per-minute limit (null or absent: the server's default). */
  readonly scimRateLimit?: number | null;
  /**
   * The user as GET /api/v2/users/me shows it, read with the token's state and cached with it (at
   * most the token cache period; dropped in every process when the user, its division, its client
   * or its organization changes). Absent for a token without a user and for system principals.
   */
  readonly user?: Readonly<Record<string, unknown>>;
  /** The organization as GET /api/v2/organizations/me shows it, read and cached the same way. */
  readonly organization?: Readonly<Record<string, unknown>>;
  readonly expiresAt: Date;
  readonly issuedAt: Date;
}

/** The caller of one request: a principal plus where it came from. */
export interface Caller {
  readonly principal: Principal;
  readonly remoteIp: string;
}
