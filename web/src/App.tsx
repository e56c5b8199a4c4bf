import type { ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Layout } from './components/Layout.tsx';
import { NAVIGATION } from './navigation.ts';
import { ExternalContacts } from './pages/directory/ExternalContacts.tsx';
import { Home } from './pages/Home.tsx';
import { AddClient } from './pages/integrations/AddClient.tsx';
import { AuditStreams } from './pages/integrations/AuditStreams.tsx';
import { AuthorizedApps } from './pages/integrations/AuthorizedApps.tsx';
import { ClientDetails } from './pages/integrations/ClientDetails.tsx';
import { OAuthClients } from './pages/integrations/OAuthClients.tsx';
import { SsoProvider } from './pages/integrations/SsoProvider.tsx';
import { SsoProviders } from './pages/integrations/SsoProviders.tsx';
import { Login } from './pages/Login.tsx';
import { ApiUsage } from './pages/platform-usage/ApiUsage.tsx';
import { ApiUsageView } from './pages/platform-usage/ApiUsageView.tsx';
import { NotYet } from './pages/NotYet.tsx';
import { Roles } from './pages/people/Roles.tsx';
import { InteractionDetails } from './pages/performance/InteractionDetails.tsx';
import { QueuesActivity } from './pages/performance/QueuesActivity.tsx';
import { Divisions } from './pages/people/Divisions.tsx';
import { DisconnectInteractions } from './pages/routing/DisconnectInteractions.tsx';
import { Users } from './pages/people/Users.tsx';
import { DataSubjectRequests } from './pages/privacy/DataSubjectRequests.tsx';
import { AuditViewer } from './pages/troubleshooting/AuditViewer.tsx';
import { useSession } from './session.tsx';

const READY: Record<string, ReactNode> = {
  '/admin/integrations/oauth': <OAuthClients />,
  '/admin/integrations/authorized-applications': <AuthorizedApps />,
  '/admin/integrations/sso': <SsoProviders />,
  '/admin/integrations/audit-streams': <AuditStreams />,
  '/admin/platform-usage/api-usage': <ApiUsage />,
  '/admin/platform-usage/api-usage-view': <ApiUsageView />,
  '/admin/troubleshooting/audit-viewer': <AuditViewer />,
  '/admin/directory/external-contacts': <ExternalContacts />,
  '/admin/people/users': <Users />,
  '/admin/people/roles': <Roles />,
  '/admin/people/divisions': <Divisions />,
  '/admin/routing/disconnect-interactions': <DisconnectInteractions />,
  '/admin/privacy/data-subject-requests': <DataSubjectRequests />,
  '/admin/performance/queues-activity': <QueuesActivity />,
  '/admin/performance/interaction-details': <InteractionDetails />,
};

function RequireSession({ children }: { children: ReactNode }) {
  const { session, loading } = useSession();
  const location = useLocation();
  if (loading) return <p role="status">Loading…</p>;
  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<Login />} />
      <Route
        path="/admin"
        element={
          <RequireSession>
            <Layout />
          </RequireSession>
        }
      >
        <Route index element={<Home />} />
        {NAVIGATION.flatMap(({ items }) => items).map((item) => (
          <Route key={item.path} path={item.path} element={READY[item.path] ?? <NotYet title={item.label} />} />
        ))}
        <Route path="/admin/integrations/oauth/new" element={<AddClient />} />
        <Route path="/admin/integrations/oauth/:clientId" element={<ClientDetails />} />
        <Route path="/admin/integrations/sso/:providerId" element={<SsoProvider />} />
        <Route path="*" element={<NotYet title="Page not found" />} />
      </Route>
      <Route path="*" element={<Navigate to="/admin" replace />} />
    </Routes>
  );
}
