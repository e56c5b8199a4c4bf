import { PagedTable } from '../../components/PagedTable.tsx';

interface Role {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  userCount: number;
}

export function Roles() {
  return (
    <>
      <h1>Roles</h1>
      <PagedTable<Role>
        path="/api/v2/authorization/roles"
        empty="No roles"
        columns={[
          { header: 'Name', cell: (r) => r.name },
          { header: 'Description', cell: (r) => r.description },
          { header: 'Permissions', cell: (r) => r.permissions.length },
          { header: 'Members', cell: (r) => r.userCount },
        ]}
      />
    </>
  );
}
