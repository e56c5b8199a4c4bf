/** SCIM PATCH types: the resource URNs, the PATCH error and the schema attribute descriptions. */
import { ScimError } from '../errors.ts';

export const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GENESYS_USER_URN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';

export type ScimPatchErrorType = 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'mutability';

/** A PATCH request that cannot be applied (RFC 7644 §3.12 error types). */
export class ScimPatchError extends ScimError {
  override name = 'ScimPatchError';
  declare readonly scimType: ScimPatchErrorType;
  constructor(scimType: ScimPatchErrorType, detail: string) {
    super(400, detail, scimType);
  }
}

export type ScimSchemaAttrType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'binary'
  | 'complex';
export type ScimMutability = 'readWrite' | 'readOnly' | 'immutable' | 'writeOnly';

/** One attribute of a schema (RFC 7643 §7), as much as PATCH needs. */
export interface ScimPatchAttribute {
  /** Canonical spelling. */
  name: string;
  type: ScimSchemaAttrType;
  multiValued?: boolean;
  /** Default 'readWrite'. */
  mutability?: ScimMutability;
  /** Required attributes cannot be removed. */
  required?: boolean;
  /** Strings compare case-insensitively unless true. */
  caseExact?: boolean;
  /** For `complex` attributes. */
  subAttributes?: ScimPatchAttribute[];
}

export interface ScimPatchSchema {
  /** URN of the resource's core schema; its attributes sit at the top level of the resource. */
  core: string;
  /** Attributes per schema URN: the core schema and each extension (whose values sit under the URN key). */
  attributes: Record<string, ScimPatchAttribute[]>;
}

export interface ScimPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

export type Json = Record<string, unknown>;
export type OpName = ScimPatchOperation['op'];
