import { Link, useLocation } from 'react-router-dom';
import { GRANT_LABELS, type OAuthClient } from '../../api/oauth.ts';
import { PagedTable } from '../../components/PagedTable.tsx';

export function OAuthClients() {
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  return (
    <>
      <h1>OAuth</h1>
      {notice && <p role="status">{notice}</p>}
      <p>
        <Link className="button" to="/admin/integrations/oauth/new">
          Add Client
        </Link>
      </p>
      <PagedTable<OAuthClient>
        path="/api/v2/oauth/clients"
        empty="No OAuth clients yet. Add one to let an application call the API."
        columns={[
          { header: 'App Name', cell: (c) => <Link to={`/admin/integrations/oauth/${c.id}`}>{c.name}</Link> },
          { header: 'Grant Type', cell: (c) => GRANT_LABELS[c.authorizedGrantType] ?? c.authorizedGrantType },
          { header: 'Token Duration', cell: (c) => `${c.accessTokenValiditySeconds.toLocaleString('en-US')} s` },
          { header: 'State', cell: (c) => c.state },
          { header: 'Client ID', cell: (c) => <code>{c.id}</code> },
        ]}
      />
    </>
  );
}
