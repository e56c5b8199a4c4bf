/**
 * Filters on emails find what the resource shows: the `other` email is the userName, read from
 * the directory's users row, so an administrator's email change (admin API) is found by SCIM
 * filters at once and the old address no longer matches. @see issue #7 (review finding 5)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { oktaUser, type ScimApp, startScimApp } from './helpers.ts';

describe.each(DIALECTS)('SCIM email filters after an admin change on %s', (dialect) => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp(dialect);
  });
  afterAll(() => s?.t.close());

  const count = async (filter: string) => {
    const res = await s.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    expect(res.status, filter).toBe(200);
    return res.body.totalResults as number;
  };

  it('finds the user by the email the admin API set, and not by the old one', async () => {
    const made = await s.scim(
      'POST',
      '/Users',
      oktaUser('first.addr@emails.example', {
        emails: [{ value: 'work.addr@emails.example', type: 'work', primary: true }],
      }),
    );
    expect(made.status).toBe(201);
    expect(await count('emails eq "first.addr@emails.example"')).toBe(1);
    expect(await count('emails[type eq "other" and value eq "first.addr@emails.example"]')).toBe(1);

    const admin = await s.t.token();
    const changed = await s.t.api(`/api/v2/users/${made.body.id}`, {
      method: 'PATCH',
      token: admin,
      body: { version: 1, email: 'Second.Addr@emails.example' },
    });
    expect(changed.status).toBe(200);

    const shown = await s.scim('GET', `/Users/${made.body.id}`);
    expect(shown.body.emails).toContainEqual({ value: 'Second.Addr@emails.example', type: 'other', primary: false });

    expect(await count('emails eq "second.addr@emails.example"')).toBe(1);
    expect(await count('emails[type eq "other" and value eq "Second.Addr@emails.example"]')).toBe(1);
    expect(await count('emails.value sw "second.addr@"')).toBe(1);
    expect(await count('emails eq "first.addr@emails.example"')).toBe(0);
    expect(await count('emails[type eq "other" and value eq "first.addr@emails.example"]')).toBe(0);
    // The work email is still a row of its own, and only the userName is of type other.
    expect(await count('emails[type eq "work" and value eq "work.addr@emails.example"]')).toBe(1);
    expect(await count('emails[type eq "other" and value eq "work.addr@emails.example"]')).toBe(0);
    expect(await count('emails[type eq "other" and primary eq true] and emails co "@emails.example"')).toBe(0);
    expect(await count('emails ne "second.addr@emails.example" and emails co "@emails.example"')).toBe(0);
  });

  it('the userName email is primary exactly when no work email is', async () => {
    await s.scim('POST', '/Users', oktaUser('only.other@primary.example', { emails: [] }));
    expect(
      await count('emails[type eq "other" and primary eq true] and userName eq "only.other@primary.example"'),
    ).toBe(1);
    await s.scim('POST', '/Users', oktaUser('with.work@primary.example'));
    expect(await count('emails[type eq "other" and primary eq true] and userName eq "with.work@primary.example"')).toBe(
      0,
    );
    expect(await count('emails[type eq "work" and primary eq true] and userName eq "with.work@primary.example"')).toBe(
      1,
    );
  });
});
