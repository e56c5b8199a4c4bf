/**
 * The user's audit trail shows what the identity provider changed: every attribute SCIM writes
 * appears in the event's property changes (a password only as a marker, never its value), and
 * group membership changes appear on each affected user's trail as well as the group's.
 * @see issue #7 (review finding 2)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import {
  addDivision,
  auditTrail,
  ENTERPRISE,
  GENESYS,
  oktaUser,
  PATCH_OP,
  type ScimApp,
  startScimApp,
} from './helpers.ts';

describe.each(DIALECTS)('SCIM audit trail on %s', (dialect) => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp(dialect);
    await addDivision(s, 'Field Ops');
  });
  afterAll(() => s?.t.close());

  const trail = (entityId: string) => auditTrail(s, entityId);

  const cases: {
    property: string;
    op: Record<string, unknown>;
    before?: Record<string, unknown>;
    old: string[];
    now: string[];
  }[] = [
    {
      property: 'emails',
      before: { emails: [{ value: 'before@trail.example', type: 'work', primary: true }] },
      op: { op: 'replace', path: 'emails[type eq "work"].value', value: 'after@trail.example' },
      old: ['work:before@trail.example:primary'],
      now: ['work:after@trail.example:primary'],
    },
    {
      property: 'division',
      op: { op: 'replace', path: `${ENTERPRISE}:division`, value: 'Field Ops' },
      old: ['Home'],
      now: ['Field Ops'],
    },
    {
      property: 'routingSkills',
      op: { op: 'add', path: `${GENESYS}:routingSkills`, value: [{ name: 'Billing', proficiency: 3 }] },
      old: [],
      now: ['Billing:3'],
    },
    {
      property: 'routingLanguages',
      op: { op: 'add', path: `${GENESYS}:routingLanguages`, value: [{ name: 'French', proficiency: 5 }] },
      old: [],
      now: ['French:5'],
    },
    {
      property: 'externalIds',
      op: { op: 'add', path: `${GENESYS}:externalIds`, value: [{ authority: 'hr-system', value: 'E-77' }] },
      old: [],
      now: ['hr-system:E-77'],
    },
    {
      property: 'dateHire',
      op: { op: 'replace', path: `${ENTERPRISE}:dateHire`, value: '2024-03-01' },
      old: [],
      now: ['2024-03-01'],
    },
  ];

  it.each(cases)(
    "a PATCH of $property is in the user's trail with before and after",
    async ({ property, op, before, old, now }) => {
      const made = await s.scim('POST', '/Users', {
        ...oktaUser(`${property.toLowerCase()}.trail@trail.example`),
        ...(before ?? { emails: [] }),
      });
      expect(made.status).toBe(201);
      const res = await s.scim('PATCH', `/Users/${made.body.id}`, { schemas: [PATCH_OP], Operations: [op] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const update = (await trail(made.body.id)).find((e) => e.action === 'Update');
      expect(update).toMatchObject({ entityType: 'User', context: { source: 'SCIM' } });
      expect(update?.propertyChanges).toEqual([{ property, oldValues: old, newValues: now }]);
    },
  );

  it('a password change is marked, never recorded', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('password.trail@trail.example'));
    const secret = 'a-new-long-Passw0rd-for-trail';
    const res = await s.scim('PATCH', `/Users/${made.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'password', value: secret }],
    });
    expect(res.status).toBe(200);
    const events = await trail(made.body.id);
    const update = events.find((e) => e.action === 'Update');
    expect(update?.propertyChanges).toEqual([
      { property: 'authentication', oldValues: [], newValues: ['password set'] },
    ]);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it("group membership changes appear on each member's trail", async () => {
    const a = await s.scim('POST', '/Users', oktaUser('member.a@trail.example'));
    const b = await s.scim('POST', '/Users', oktaUser('member.b@trail.example'));
    const group = await s.group('Trail group');
    const add = await s.scim('PATCH', `/Groups/${group}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: a.body.id }, { value: b.body.id }] }],
    });
    expect(add.status).toBe(200);
    const remove = await s.scim('PATCH', `/Groups/${group}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${a.body.id}"]` }],
    });
    expect(remove.status).toBe(200);

    const ofA = (await trail(a.body.id)).filter((e) => e.action === 'Update');
    expect(ofA.map((e) => e.propertyChanges)).toEqual([
      [{ property: 'groups', oldValues: [group], newValues: [] }],
      [{ property: 'groups', oldValues: [], newValues: [group] }],
    ]);
    for (const e of ofA) expect(e).toMatchObject({ entityType: 'User', context: { source: 'SCIM' } });
    const ofB = (await trail(b.body.id)).filter((e) => e.action === 'Update');
    expect(ofB.map((e) => e.propertyChanges)).toEqual([[{ property: 'groups', oldValues: [], newValues: [group] }]]);
  });
});
