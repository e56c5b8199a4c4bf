/**
 * SCIM errors (RFC 7644 §3.12): `{schemas, status, scimType, detail}` with the status as a string.
 * Every error on the SCIM paths leaves in this shape, 401/403/404/500 and the framework's included.
 */
export const SCIM_ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorBody {
  schemas: string[];
  status: string;
  scimType?: string;
  detail: string;
}

export function scimErrorBody(status: number, detail: string, scimType?: string): ScimErrorBody {
  return { schemas: [SCIM_ERROR_URN], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** SCIM's paths: the v2 ones and their legacy twins. */
export const isScimPath = (path: string): boolean => /^\/api\/v2\/scim(\/|$)/i.test(path);
