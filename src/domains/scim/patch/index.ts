/**
 * SCIM PATCH: RFC 7644 §3.5.2 (add §3.5.2.1, remove §3.5.2.2, replace §3.5.2.3) applied to a SCIM
 * resource held as plain JSON, with the attribute characteristics of RFC 7643 §2 and §7
 * (case-insensitive names, multi-valued attributes, `primary`, mutability).
 *
 * `applyPatch` validates a PatchOp request and returns a new resource; it never mutates its
 * input and is atomic by construction: the operations run one after another on a private copy,
 * and the first failing operation throws a `ScimPatchError` (400 with a scimType) so that
 * nothing is returned. Paths are `attr`, `attr.sub`, URN-qualified paths (core or extension
 * schema; an extension's attributes live in the object stored under its URN), the extension URN
 * itself, and value-filtered paths `emails[type eq "work"]` / `emails[type eq "work"].value`,
 * parsed by filter.ts. Attribute names match case-insensitively and are written with the
 * schema's canonical spelling.
 *
 * Besides the RFC, the dialects of the two big clients are accepted:
 * - Microsoft Entra ID: capitalised `op` values ("Add", "Replace", "Remove"); booleans sent as the
 *   strings "True"/"False"; `replace`/`add` without path whose value keys are paths
 *   (`"name.givenName"`, `"urn:…:enterprise:2.0:User:department"`, `emails[type eq "work"].value`);
 *   a filtered path ending in a sub-attribute that matches nothing creates the element from the
 *   filter's `eq` terms (how Entra adds a work phone number with
 *   `replace phoneNumbers[type eq "work"].value`); a complex attribute with a `value`
 *   sub-attribute given a bare string (`manager: "id"` → `{ value: "id" }`); `remove` of a
 *   multi-valued attribute with a value list removes those values only.
 * - Okta: `replace` without path carrying `{ id, active, … }`; read-only attributes in such a value
 *   object are ignored when they equal the current value (otherwise `mutability`).
 *
 * Group membership is usually applied row by row in SQL rather than on a JSON document, so
 * `planGroupMembersPatch` turns a Group PATCH request into member ids to add and remove, plus
 * the other operations for `applyOperations`.
 */
export {
  ENTERPRISE_USER_URN,
  GENESYS_USER_URN,
  GROUP_SCHEMA_URN,
  PATCH_OP_URN,
  type ScimMutability,
  type ScimPatchAttribute,
  ScimPatchError,
  type ScimPatchErrorType,
  type ScimPatchOperation,
  type ScimPatchSchema,
  type ScimSchemaAttrType,
  USER_SCHEMA_URN,
} from './types.ts';
export { GROUP_PATCH_SCHEMA, USER_PATCH_SCHEMA } from './schemas.ts';
export { readPatchRequest } from './request.ts';
export { applyOperations, applyPatch } from './apply.ts';
export { type GroupMembersPlan, planGroupMembersPatch } from './members.ts';
