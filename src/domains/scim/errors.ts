/**
 * SCIM errors (RFC 7644 §3.12): `{schemas, status, scimType, detail}` with the status as a string.
 * Every error on the SCIM paths leaves in this shape, 401/403/404/500 included.
 */
import { SCIM_ERROR_URN } from '../../platform/errors/index.ts';

export { type ScimErrorBody, scimErrorBody } from '../../platform/errors/index.ts';
export const ERROR_URN = SCIM_ERROR_URN;

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export class ScimError extends Error {
  override name = 'ScimError';
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
  }
}

export const scimNotFound = (resource: 'User' | 'Group', id: string) =>
  new ScimError(404, `${resource} ${id} not found`);
export const invalidValue = (detail: string) => new ScimError(400, detail, 'invalidValue');
export const uniqueness = (detail: string) => new ScimError(409, detail, 'uniqueness');
export const staleVersion = (current: string) =>
  new ScimError(
    400,
    `The If-Match version does not match the current version ${current}; read the resource again.`,
    'invalidVers',
  );
