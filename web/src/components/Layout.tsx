import { useEffect } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { NAVIGATION } from '../navigation.ts';
import { AuditFooter, useAuditFooterToggle } from './AuditFooter.tsx';
import { useSession } from '../session.tsx';

/** The page's name for the document title: the navigation item the path is under. */
export function pageTitle(pathname: string): string {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/admin' || path === '') return 'Home';
  const item = NAVIGATION.flatMap((g) => g.items).find((i) => path === i.path || path.startsWith(`${i.path}/`));
  if (!item) return 'Page not found';
  if (path === item.path) return item.label;
  return path.endsWith('/new') ? `New · ${item.label}` : `Details · ${item.label}`;
}

export function Layout() {
  const { pathname } = useLocation();
  useEffect(() => {
    document.title = `${pageTitle(pathname)} · Gatehouse`;
  }, [pathname]);
  const { session, signOut } = useSession();
  const navigate = useNavigate();
  const footer = useAuditFooterToggle();
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to main content
      </a>
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
        <main className="content" id="main" tabIndex={-1}>
          <Outlet />
          {footer.on && <AuditFooter />}
        </main>
      </div>
    </div>
  );
}
