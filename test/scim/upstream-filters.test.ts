/**
 * The user-list filter examples upstream documents (GET /api/v2/scim/v2/users `filter`):
 * `division eq …` and bare numbers for string attributes (`externalId eq 167844`,
 * `employeeNumber eq 9876543210`), with those exact strings. @see issue #7 (review finding 7)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { addDivision, ENTERPRISE, ERROR, oktaUser, type ScimApp, startScimApp } from './helpers.ts';

describe.each(DIALECTS)('upstream filter examples on %s', (dialect) => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp(dialect);
    await addDivision(s, 'Field Ops');
    const made = [
      await s.scim(
        'POST',
        '/Users',
        oktaUser('home.user@upstream.example', {
          externalId: '167844',
          [ENTERPRISE]: { employeeNumber: '9876543210' },
        }),
      ),
      await s.scim(
        'POST',
        '/Users',
        oktaUser('field.user@upstream.example', {
          externalId: '1678440',
          [ENTERPRISE]: { employeeNumber: '98765432100', division: 'Field Ops' },
        }),
      ),
    ];
    for (const m of made) expect(m.status).toBe(201);
  });
  afterAll(() => s?.t.close());

  const userNames = async (filter: string) => {
    const res = await s.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    expect(res.status, `${filter}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body.Resources.map((r: { userName: string }) => r.userName)
      .filter((u: string) => u.endsWith('@upstream.example'))
      .sort();
  };

  it('externalId eq 167844', async () => {
    expect(await userNames('externalId eq 167844')).toEqual(['home.user@upstream.example']);
  });

  it('employeeNumber eq 9876543210', async () => {
    expect(await userNames('employeeNumber eq 9876543210')).toEqual(['home.user@upstream.example']);
    expect(await userNames('employeeNumber sw 98765432100')).toEqual(['field.user@upstream.example']);
  });

  it('division eq "Home", case-insensitive and schema-qualified', async () => {
    expect(await userNames('division eq "Home"')).toEqual(['home.user@upstream.example']);
    expect(await userNames('division eq "field ops"')).toEqual(['field.user@upstream.example']);
    expect(await userNames(`${ENTERPRISE}:division eq "Field Ops"`)).toEqual(['field.user@upstream.example']);
    expect(await userNames('division sw "Fi" or division eq "Home"')).toEqual([
      'field.user@upstream.example',
      'home.user@upstream.example',
    ]);
    expect(await userNames('division eq "Nowhere"')).toEqual([]);
  });

  it('still refuses a number where it cannot stand for digits', async () => {
    for (const f of ['employeeNumber gt 5', 'externalId eq 1.5', 'active eq 1']) {
      const res = await s.scim('GET', `/Users?filter=${encodeURIComponent(f)}`);
      expect(res.status, f).toBe(400);
      expect(res.body, f).toMatchObject({ schemas: [ERROR], scimType: 'invalidFilter' });
    }
  });
});
