import { useState } from 'react';
import { PagedTable } from '../../components/PagedTable.tsx';
import { UserGrants } from './UserGrants.tsx';

interface User {
  id: string;
  name: string;
  email: string;
  state: string;
  division?: { name?: string };
  /** Beyond upstream (`expand=scim`): an identity provider manages this user. */
  scimManaged?: boolean;
}

/** Marks users an identity provider manages: its next sync may overwrite edits made here. */
function ScimBadge() {
  return (
    <span
      className="scim-badge"
      title="Managed by an identity provider through SCIM: userName, name, title, department, phone numbers and active state may be overwritten by the next sync."
      style={{
        marginLeft: '0.5rem',
        padding: '0 0.4rem',
        border: '1px solid var(--line)',
        borderRadius: '4px',
        fontSize: '0.75rem',
      }}
    >
      SCIM
    </span>
  );
}

/** A field the identity provider sets for a SCIM-managed user. */
function ScimField({ managed, children }: { managed?: boolean; children: string }) {
  if (!managed) return <>{children}</>;
  return (
    <span title="Set by the identity provider through SCIM">
      {children} <small className="scim-field">(from SCIM)</small>
    </span>
  );
}

export function Users() {
  const [selected, setSelected] = useState<User | null>(null);
  return (
    <>
      <h1>Users</h1>
      <PagedTable<User>
        path="/api/v2/users?state=any&expand=scim"
        empty="No users"
        columns={[
          {
            header: 'Name',
            cell: (u) => (
              <>
                <ScimField managed={u.scimManaged}>{u.name}</ScimField>
                {u.scimManaged ? <ScimBadge /> : null}
              </>
            ),
          },
          { header: 'Email', cell: (u) => <ScimField managed={u.scimManaged}>{u.email}</ScimField> },
          { header: 'Division', cell: (u) => u.division?.name ?? '' },
          { header: 'State', cell: (u) => <ScimField managed={u.scimManaged}>{u.state}</ScimField> },
          {
            header: 'Roles',
            cell: (u) => (
              <button type="button" aria-label={`Roles of ${u.name}`} onClick={() => setSelected(u)}>
                Roles
              </button>
            ),
          },
        ]}
      />
      {selected && <UserGrants key={selected.id} userId={selected.id} userName={selected.name} />}
      <p className="hint">
        <strong>SCIM</strong> marks users an identity provider manages. Their fields marked “(from SCIM)” follow the
        identity provider: the next sync overwrites a change made in Gatehouse.
      </p>
    </>
  );
}
