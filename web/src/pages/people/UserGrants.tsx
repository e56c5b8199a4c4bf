import { useCallback, useEffect, useState } from 'react';
import { request } from '../../api/client.ts';

interface Grant {
  role: { id: string; name: string };
  division: { id: string; name: string };
}
interface Named {
  id: string;
  name: string;
}

/**
 * A user's roles, each with its division (seed 000: "Divisions — assign alongside each role"):
 * add a role in a picked division, remove one grant. The API refuses to give what the caller
 * does not hold there; its message is shown as it comes.
 */
export function UserGrants({ userId, userName }: { userId: string; userName: string }) {
  const [grants, setGrants] = useState<Grant[]>();
  const [roles, setRoles] = useState<Named[]>([]);
  const [divisions, setDivisions] = useState<Named[]>([]);
  const [roleId, setRoleId] = useState('');
  const [divisionId, setDivisionId] = useState('');
  const [error, setError] = useState('');
  const subject = `/api/v2/authorization/subjects/${userId}`;

  const load = useCallback(() => {
    request<{ grants: Grant[] }>(subject)
      .then((s) => setGrants(s.grants))
      .catch((e: Error) => setError(e.message));
  }, [subject]);
  useEffect(() => {
    load();
    Promise.all([
      request<{ entities: Named[] }>('/api/v2/authorization/roles?pageSize=500'),
      request<{ entities: Named[] }>('/api/v2/authorization/divisions?pageSize=500'),
      request<Named>('/api/v2/authorization/divisions/home'),
    ])
      .then(([r, d, home]) => {
        setRoles(r.entities);
        setDivisions(d.entities);
        setRoleId(r.entities[0]?.id ?? '');
        setDivisionId(home.id);
      })
      .catch((e: Error) => setError(e.message));
  }, [load]);

  async function change(method: 'POST' | 'DELETE', role: string, division: string) {
    setError('');
    try {
      await request(`${subject}/divisions/${division}/roles/${role}`, { method });
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section aria-label={`Roles of ${userName}`}>
      <h2>Roles of {userName}</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ul>
        {grants?.map((g) => (
          <li key={`${g.role.id}/${g.division.id}`}>
            {g.role.name} in {g.division.name}{' '}
            <button
              type="button"
              aria-label={`Remove ${g.role.name} in ${g.division.name}`}
              onClick={() => change('DELETE', g.role.id, g.division.id)}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <label htmlFor="grant-role">Role</label>
      <select id="grant-role" value={roleId} onChange={(e) => setRoleId(e.target.value)}>
        {roles.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </select>
      <label htmlFor="grant-division">Division</label>
      <select id="grant-division" value={divisionId} onChange={(e) => setDivisionId(e.target.value)}>
        {divisions.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name}
          </option>
        ))}
        <option value="*">All divisions</option>
      </select>
      <button type="button" disabled={!roleId || !divisionId} onClick={() => change('POST', roleId, divisionId)}>
        Add role
      </button>
    </section>
  );
}
