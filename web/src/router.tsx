import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  notFound,
} from '@tanstack/react-router';
import { App, NotFound } from './app.js';
import { RouteError } from './components/page-boundary.js';
import { Loading } from './components/states.js';
import type { AuditSearch } from './features/access/audit-page.js';
import type { AlertsSearch } from './features/alerts/alerts-page.js';
import type { CardsSearch } from './features/cards/cards-filters.js';
import { parseSearch, stringifySearch, stringSearch } from './search-params.js';

/**
 * The console's routes, one per page, each page loaded on first visit from its feature's own
 * chunk (web/src/features/<capability>/). The root is the shell: sign-in until a session
 * exists, then the navigation around the current page.
 */
const rootRoute = createRootRoute({ component: App });

const dashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  component: lazyRouteComponent(
    () => import('./features/dashboard/dashboard-page.js'),
    'DashboardPage',
  ),
});

/** Filters, sort and cursor live in the query string, so reloads and shared links keep them. */
const cardsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/cards',
  validateSearch: stringSearch<CardsSearch>(),
  component: lazyRouteComponent(() => import('./features/cards/cards-page.js'), 'CardsPage'),
});

/** `/cards/42`: a card by its numeric id; anything else is not found. */
const cardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/cards/$cardId',
  params: {
    parse: ({ cardId }) => ({ cardId: /^\d+$/.test(cardId) ? Number(cardId) : Number.NaN }),
    stringify: ({ cardId }) => ({ cardId: String(cardId) }),
  },
  beforeLoad: ({ params }) => {
    if (!Number.isSafeInteger(params.cardId)) throw notFound();
  },
  component: lazyRouteComponent(
    () => import('./features/cards/card-detail-page.js'),
    'CardDetailRoute',
  ),
});

const devicesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/devices',
  component: lazyRouteComponent(() => import('./features/devices/devices-page.js'), 'DevicesPage'),
});

const deviceRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/devices/$deviceId',
  component: lazyRouteComponent(() => import('./features/devices/devices-page.js'), 'DevicePage'),
});

const jobsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/jobs',
  component: lazyRouteComponent(() => import('./features/jobs/jobs-page.js'), 'JobsPage'),
});

/** `/jobs/42`: one bulk job by its number; anything else is not found. */
const jobRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/jobs/$jobId',
  params: {
    parse: ({ jobId }) => ({ jobId: /^\d+$/.test(jobId) ? Number(jobId) : Number.NaN }),
    stringify: ({ jobId }) => ({ jobId: String(jobId) }),
  },
  beforeLoad: ({ params }) => {
    if (!Number.isSafeInteger(params.jobId)) throw notFound();
  },
  component: lazyRouteComponent(
    () => import('./features/jobs/job-detail-page.js'),
    'JobDetailRoute',
  ),
});

const alertsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/alerts',
  validateSearch: stringSearch<AlertsSearch>(),
  component: lazyRouteComponent(() => import('./features/alerts/alerts-page.js'), 'AlertsPage'),
});

const rulesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/rules',
  component: lazyRouteComponent(() => import('./features/rules/rules-page.js'), 'RulesPage'),
});

const poolsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/pools',
  component: lazyRouteComponent(() => import('./features/pools/pools-page.js'), 'PoolsPage'),
});

/** Plans (套餐): quota, cycle, cards on each and their expiry dates. */
const plansRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/plans',
  component: lazyRouteComponent(() => import('./features/plans/plans-page.js'), 'PlansPage'),
});

const accountsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/accounts',
  component: lazyRouteComponent(
    () => import('./features/accounts/accounts-page.js'),
    'AccountsPage',
  ),
});

const syncRunsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sync-runs',
  component: lazyRouteComponent(() => import('./features/sync/sync-runs-page.js'), 'SyncRunsPage'),
});

const webhooksRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/webhooks',
  component: lazyRouteComponent(
    () => import('./features/webhooks/webhooks-page.js'),
    'WebhooksPage',
  ),
});

const notificationsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/notifications',
  component: lazyRouteComponent(
    () => import('./features/notifications/notifications-page.js'),
    'NotificationsPage',
  ),
});

const usersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/users',
  component: lazyRouteComponent(() => import('./features/access/users-page.js'), 'UsersPage'),
});

/** The audit log's target filter and `before` cursor live in the query string. */
const auditRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/audit',
  validateSearch: stringSearch<AuditSearch>(),
  component: lazyRouteComponent(() => import('./features/access/audit-page.js'), 'AuditPage'),
});

const routeTree = rootRoute.addChildren([
  dashboardRoute,
  cardsRoute,
  cardRoute,
  devicesRoute,
  deviceRoute,
  jobsRoute,
  jobRoute,
  alertsRoute,
  rulesRoute,
  poolsRoute,
  plansRoute,
  accountsRoute,
  syncRunsRoute,
  webhooksRoute,
  notificationsRoute,
  usersRoute,
  auditRoute,
]);

/** The console's router: plain query strings, a page's chunk fetched when a link is hovered. */
export const router = createRouter({
  routeTree,
  parseSearch,
  stringifySearch,
  defaultPreload: 'intent',
  defaultPendingComponent: Loading,
  defaultErrorComponent: RouteError,
  defaultNotFoundComponent: NotFound,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
