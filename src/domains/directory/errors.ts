import { ApiError } from '../../platform/errors/index.ts';

export const emailTaken = (email: string) =>
  new ApiError(409, 'general.conflict', `A user with the email "${email}" already exists in this organization.`, {
    details: [{ errorCode: 'general.conflict', fieldName: 'email' }],
  });

export const versionConflict = (current: number) =>
  new ApiError(
    409,
    'general.conflict',
    `The version supplied is out of date; the current version is ${current}. Get the user and try again.`,
    {
      details: [{ errorCode: 'general.conflict', fieldName: 'version' }],
    },
  );

export const roleNameTaken = (name: string) =>
  new ApiError(409, 'general.conflict', `A role named "${name}" already exists in this organization.`, {
    details: [{ errorCode: 'general.conflict', fieldName: 'name' }],
  });

export const unknownPermission = (p: string) =>
  new ApiError(400, 'invalid.value', `"${p}" is not a permission. See GET /api/v2/authorization/permissions.`, {
    details: [{ errorCode: 'invalid.value', fieldName: 'permissions' }],
  });

export const notAUser = () =>
  new ApiError(
    400,
    'not.a.user',
    'This request requires a user context. Client credentials cannot be used for requests to this resource.',
  );

export const roleInUse = (count: number) =>
  new ApiError(
    409,
    'general.conflict',
    `The role is granted to ${count} subject(s); remove those grants before deleting it.`,
  );
