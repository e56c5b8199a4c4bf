/** The shape helper must be able to fail, or the API tests that use it prove nothing. */
import { describe, expect, it } from 'vitest';
import { validateShape } from './shape.ts';

const user = {
  id: 'u1',
  name: 'A',
  email: 'a@example.com',
  state: 'active',
  version: 1,
  division: { id: 'd', name: 'Home', selfUri: '/api/v2/authorization/divisions/d' },
  selfUri: '/api/v2/users/u1',
};

describe('validateShape', () => {
  it('accepts a valid ErrorBody and a valid listing', () => {
    validateShape('ErrorBody', { message: 'm', code: 'bad.request', status: 400, details: [], errors: [] });
    validateShape('UserEntityListing', {
      entities: [user],
      pageSize: 25,
      pageNumber: 1,
      total: 1,
      pageCount: 1,
      selfUri: '/api/v2/users?pageNumber=1',
    });
  });

  it('refuses a wrong type', () => {
    expect(() => validateShape('ErrorBody', { message: 'm', code: 'c', status: '400' })).toThrow(
      /\/status: must be integer/,
    );
  });

  it('refuses a missing required field', () => {
    expect(() => validateShape('OAuthClient', { id: 'c', authorizedGrantType: 'CODE' })).toThrow(/name/);
  });

  it('refuses a field upstream does not have, unless told to allow extras', () => {
    expect(() => validateShape('ErrorBody', { message: 'm', code: 'c', status: 400, secret: 'x' })).toThrow(/secret/);
    validateShape('ErrorBody', { message: 'm', code: 'c', status: 400, secret: 'x' }, { extraProperties: true });
  });

  it('names the path of a nested mistake', () => {
    const bad = { entities: [{ ...user, state: 'bogus' }], pageSize: 25, pageNumber: 1, total: 1, pageCount: 1 };
    expect(() => validateShape('UserEntityListing', bad)).toThrow(
      /\/entities\/0\/state: must be equal to one of the allowed values/,
    );
  });

  it('checks dates', () => {
    expect(() =>
      validateShape('OAuthClient', { name: 'n', authorizedGrantType: 'CODE', dateCreated: 'yesterday' }),
    ).toThrow(/dateCreated/);
  });
});
