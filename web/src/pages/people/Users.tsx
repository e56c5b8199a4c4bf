import { PagedTable } from '../../components/PagedTable.tsx';

interface User {
  id: string;
  name: string;
  email: string;
  state: string;
  division?: { name?: string };
}

export function Users() {
  return (
    <>
      <h1>Users</h1>
      <PagedTable<User>
        path="/api/v2/users?state=any"
        empty="No users"
        columns={[
          { header: 'Name', cell: (u) => u.name },
          { header: 'Email', cell: (u) => u.email },
          { header: 'Division', cell: (u) => u.division?.name ?? '' },
          { header: 'State', cell: (u) => u.state },
        ]}
      />
    </>
  );
}
