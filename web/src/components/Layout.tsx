import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import { NAVIGATION } from '../navigation.ts';
import { AuditFooter, useAuditFooterToggle } from './AuditFooter.tsx';
import { useSession } from '../session.tsx';

export function Layout() {
  const { session, signOut } = useSession();
  const navigate = useNavigate();
  const footer = useAuditFooterToggle();
  return (
    <div className="shell">
      <header className="topbar">
        <NavLink to="/admin" className="brand">
          Gatehouse
        </NavLink>
        <span className="org">{session?.organization.name}</span>
        <span className="spacer" />
        <button type="button" className="secondary" aria-pressed={footer.on} onClick={footer.toggle}>
          {footer.on ? 'Hide audits footer' : 'Show audits footer'}
        </button>
        <span className="who">{session?.user.name}</span>
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            await signOut();
            navigate('/login');
          }}
        >
          Log out
        </button>
      </header>
      <div className="body">
        <nav aria-label="Admin" className="sidenav">
          {NAVIGATION.map(({ group, items }) => (
            <section key={group}>
              <h2>{group}</h2>
              <ul>
                {items.map((item) => (
                  <li key={item.path}>
                    <NavLink to={item.path}>{item.label}</NavLink>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </nav>
        <main className="content">
          <Outlet />
          {footer.on && <AuditFooter />}
        </main>
      </div>
    </div>
  );
}
