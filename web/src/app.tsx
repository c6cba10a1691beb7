import { Link, Outlet, useLocation } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from './components/language-switch.js';
import { PageBoundary } from './components/page-boundary.js';
import { ErrorMessage, Loading } from './components/states.js';
import { LoginPage } from './features/access/login-page.js';
import { useMe, useSession } from './session.js';

/** The navigation: path and catalogue key, in the order operators use them. */
const NAVIGATION = [
  ['/', 'nav.dashboard'],
  ['/cards', 'nav.cards'],
  ['/devices', 'nav.devices'],
  ['/jobs', 'nav.jobs'],
  ['/alerts', 'nav.alerts'],
  ['/rules', 'nav.rules'],
  ['/plans', 'plansPage.title'],
  ['/pools', 'nav.pools'],
  ['/accounts', 'nav.accounts'],
  ['/sync-runs', 'nav.syncRuns'],
  ['/webhooks', 'nav.webhooks'],
  ['/notifications', 'nav.notifications'],
  ['/users', 'nav.users'],
  ['/audit', 'nav.audit'],
] as const;

/** What a path the console does not know shows, inside the shell. */
export function NotFound() {
  const { t } = useTranslation();
  return (
    <section>
      <h1>{t('common.notFound')}</h1>
      <Link to="/">{t('nav.dashboard')}</Link>
    </section>
  );
}

/**
 * The console (the root route): sign-in until a session exists, whatever the URL, then the
 * navigation and the current page.
 */
export function App() {
  const { t } = useTranslation();
  const me = useMe();
  const session = useSession();
  const pathname = useLocation({ select: (location) => location.pathname });

  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorMessage error={me.error} />;
  if (!me.data) return <LoginPage />;

  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          simdock
        </Link>
        <span className="topbar-spacer" />
        <LanguageSwitch />
        <span className="muted" data-testid="me">
          {me.data.name} · {t(`roles.${me.data.role}`)}
        </span>
        <button type="button" onClick={() => void session.logout()}>
          {t('layout.logout')}
        </button>
      </header>
      <nav className="sidebar" aria-label={t('layout.navigation')}>
        {NAVIGATION.map(([to, key]) => (
          <Link
            key={to}
            to={to}
            activeOptions={{ exact: to === '/' }}
            activeProps={{ className: 'active' }}
          >
            {t(key)}
          </Link>
        ))}
      </nav>
      <main className="content">
        <PageBoundary key={pathname}>
          <Outlet />
        </PageBoundary>
      </main>
    </div>
  );
}
