import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from './components/language-switch.js';
import { ErrorMessage, Loading } from './components/states.js';
import { AuditPage } from './features/access/audit-page.js';
import { LoginPage } from './features/access/login-page.js';
import { UsersPage } from './features/access/users-page.js';
import { AccountsPage } from './features/accounts/accounts-page.js';
import { AlertsPage } from './features/alerts/alerts-page.js';
import { CardDetailPage } from './features/cards/card-detail-page.js';
import { CardsPage } from './features/cards/cards-page.js';
import { DashboardPage } from './features/dashboard/dashboard-page.js';
import { DevicesPage } from './features/devices/devices-page.js';
import { JobsPage } from './features/jobs/jobs-page.js';
import { PoolsPage } from './features/pools/pools-page.js';
import { RulesPage } from './features/rules/rules-page.js';
import { SyncRunsPage } from './features/sync/sync-runs-page.js';
import { WebhooksPage } from './features/webhooks/webhooks-page.js';
import { Link, useLocation } from './router.js';
import { useMe, useSession } from './session.js';

/** The navigation: path and catalogue key, in the order operators use them. */
const NAVIGATION = [
  ['/', 'nav.dashboard'],
  ['/cards', 'nav.cards'],
  ['/devices', 'nav.devices'],
  ['/jobs', 'nav.jobs'],
  ['/alerts', 'nav.alerts'],
  ['/rules', 'nav.rules'],
  ['/pools', 'nav.pools'],
  ['/accounts', 'nav.accounts'],
  ['/sync-runs', 'nav.syncRuns'],
  ['/webhooks', 'nav.webhooks'],
  ['/users', 'nav.users'],
  ['/audit', 'nav.audit'],
] as const;

function Page(props: { path: string }) {
  const { path } = props;
  const card = /^\/cards\/(\d+)$/.exec(path);
  if (card) return <CardDetailPage id={Number(card[1])} />;
  const device = /^\/devices\/(.+)$/.exec(path);
  if (device) return <DevicesPage deviceId={decodeURIComponent(device[1]!)} />;
  switch (path) {
    case '/':
      return <DashboardPage />;
    case '/cards':
      return <CardsPage />;
    case '/devices':
      return <DevicesPage />;
    case '/jobs':
      return <JobsPage />;
    case '/alerts':
      return <AlertsPage />;
    case '/rules':
      return <RulesPage />;
    case '/pools':
      return <PoolsPage />;
    case '/accounts':
      return <AccountsPage />;
    case '/sync-runs':
      return <SyncRunsPage />;
    case '/webhooks':
      return <WebhooksPage />;
    case '/users':
      return <UsersPage />;
    case '/audit':
      return <AuditPage />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <section>
      <h1>{t('common.notFound')}</h1>
      <Link to="/">{t('nav.dashboard')}</Link>
    </section>
  );
}

function isActive(current: string, item: string): boolean {
  return item === '/' ? current === '/' : current === item || current.startsWith(`${item}/`);
}

/** The console: sign-in until a session exists, then the navigation and the current page. */
export function App() {
  const { t } = useTranslation();
  const me = useMe();
  const session = useSession();
  const { path } = useLocation();

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
          <Link key={to} to={to} className={isActive(path, to) ? 'active' : undefined}>
            {t(key)}
          </Link>
        ))}
      </nav>
      <main className="content">
        <Page path={path} />
      </main>
    </div>
  );
}
