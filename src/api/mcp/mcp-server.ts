import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { CARD_STATUSES, SimdockError } from '../../domain/index.js';
import { hasRole, isRole } from '../../services/access/access-roles.js';

/**
 * One REST API request made for the assistant's caller, with the caller's own credentials: every
 * tool goes through `/api/v1`, so scoping, roles, limits and the audit trail are exactly the API's.
 */
export type ApiCall = (
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: unknown }>;

/** The caller as `/api/v1/auth/me` describes it. */
interface Caller {
  name: string;
  role: string;
  tenant: string;
  actor: string;
}

const INSTRUCTIONS =
  'simdock manages IoT SIM cards (物联卡) across suppliers. Find cards with find_cards, read one ' +
  'with get_card, and see the fleet with fleet_stats, cards_near_quota, cards_expiring and ' +
  'list_alerts. Actions (pause_cards, resume_cards, send_sms) change real cards: call them first ' +
  'without `confirm` to see what would happen, show that to the user, and call again with ' +
  '`confirm: true` only after the user agreed.';

const CardId = z.number().int().positive().describe('simdock card id (from find_cards)');

/**
 * An MCP server over simdock's API for one caller. Reading tools for every role; pause, resume
 * and SMS only when the caller's role is operator or above, each answering with a preview until
 * called again with `confirm: true`, and audited by the API like any other action.
 */
export async function createMcpServer(call: ApiCall, version: string): Promise<McpServer> {
  const me = await call('GET', '/api/v1/auth/me');
  if (me.status !== 200) {
    throw new SimdockError('unauthenticated', 'the API key is invalid or revoked');
  }
  const caller = me.body as Caller;
  const server = new McpServer(
    { name: 'simdock', title: 'simdock SIM cards', version },
    { instructions: INSTRUCTIONS },
  );
  const read = { readOnlyHint: true, openWorldHint: false } as const;

  server.registerTool(
    'find_cards',
    {
      title: 'Find cards',
      description:
        'Cards matching a search (ICCID, MSISDN, IMSI or part of one) and filters, up to 100 at ' +
        'a time, with a cursor for the next page.',
      inputSchema: {
        q: z.string().max(64).optional().describe('ICCID, MSISDN, IMSI, or a part of one'),
        status: z.enum(CARD_STATUSES).optional(),
        account: z.string().max(64).optional().describe('supplier account id'),
        supplier: z.string().max(64).optional().describe('supplier type, e.g. onelink-v5'),
        sort: z.enum(['id', 'usage']).optional(),
        limit: z.number().int().min(1).max(100).default(20),
        cursor: z.string().max(200).optional(),
      },
      annotations: read,
    },
    async (args) => {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(args)) {
        if (value !== undefined) query.set(name, String(value));
      }
      if (args.sort === 'usage') query.set('order', 'desc');
      return answer(await call('GET', `/api/v1/cards?${query}`));
    },
  );

  server.registerTool(
    'get_card',
    {
      title: 'Read a card',
      description:
        'One card by id or ICCID: status, identifiers, supplier, usage this cycle, plan and ' +
        'quota, what its supplier can do, its status timeline, daily usage of the last 7 days ' +
        'and its newest alerts.',
      inputSchema: {
        id: CardId.optional(),
        iccid: z.string().min(6).max(22).optional(),
      },
      annotations: read,
    },
    async ({ id, iccid }) => {
      const cardId = id ?? (iccid ? await cardIdOf(call, iccid) : null);
      if (!cardId) return failure('give the card `id` or its `iccid`');
      const card = await call('GET', `/api/v1/cards/${cardId}`);
      if (card.status !== 200) return answer(card);
      const [timeline, daily, alerts] = await Promise.all([
        call('GET', `/api/v1/cards/${cardId}/status-history`),
        call('GET', `/api/v1/cards/${cardId}/usage/daily`),
        call('GET', `/api/v1/alerts?card=${cardId}&limit=10`),
      ]);
      const days = (daily.body as { days?: unknown[] } | null)?.days;
      return json({
        card: card.body,
        timeline: timeline.status === 200 ? timeline.body : null,
        dailyUsage: Array.isArray(days) ? days.slice(-7) : daily.status === 200 ? daily.body : null,
        alerts: alerts.status === 200 ? alerts.body : null,
      });
    },
  );

  server.registerTool(
    'fleet_stats',
    {
      title: 'Fleet statistics',
      description:
        'Counts by status and supplier account, bytes used this month, the top consumers and ' +
        'quota use this cycle, over the cards the caller may see.',
      inputSchema: {},
      annotations: read,
    },
    async () => {
      const stats = await call('GET', '/api/v1/cards/stats?top=10');
      if (stats.status !== 200) return answer(stats);
      const { nearQuota, expiringSoon, ...figures } = stats.body as Record<string, unknown>;
      return json(figures);
    },
  );

  server.registerTool(
    'cards_near_quota',
    {
      title: 'Cards near their quota',
      description: 'Cards at 80 % or more of their plan’s quota this cycle, fullest first.',
      inputSchema: { limit: z.number().int().min(1).max(100).default(20) },
      annotations: read,
    },
    async ({ limit }) => {
      const stats = await call('GET', '/api/v1/cards/stats?top=1');
      if (stats.status !== 200) return answer(stats);
      const body = stats.body as { nearQuota: unknown[]; nearQuotaTotal: number };
      return json({ total: body.nearQuotaTotal, cards: body.nearQuota.slice(0, limit) });
    },
  );

  server.registerTool(
    'cards_expiring',
    {
      title: 'Cards expiring soon',
      description: 'Cards whose plan expires within 30 days, soonest first.',
      inputSchema: { limit: z.number().int().min(1).max(100).default(20) },
      annotations: read,
    },
    async ({ limit }) => {
      const stats = await call('GET', '/api/v1/cards/stats?top=1');
      if (stats.status !== 200) return answer(stats);
      const body = stats.body as { expiringSoon: unknown[]; expiringSoonTotal: number };
      return json({ total: body.expiringSoonTotal, cards: body.expiringSoon.slice(0, limit) });
    },
  );

  server.registerTool(
    'list_alerts',
    {
      title: 'Alerts',
      description: 'Alerts of the caller’s cards, newest first.',
      inputSchema: {
        state: z.enum(['open', 'acknowledged']).optional(),
        card: CardId.optional(),
        kind: z.string().max(32).optional().describe('rule kind, e.g. usage or expiry'),
        limit: z.number().int().min(1).max(100).default(20),
      },
      annotations: read,
    },
    async (args) => {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(args)) {
        if (value !== undefined) query.set(name, String(value));
      }
      return answer(await call('GET', `/api/v1/alerts?${query}`));
    },
  );

  if (isRole(caller.role) && hasRole(caller.role, 'operator')) {
    registerActions(server, call);
  }
  return server;
}

/** Pause, resume and SMS: previews until `confirm: true`, then the API's audited actions. */
function registerActions(server: McpServer, call: ApiCall): void {
  const act = { readOnlyHint: false, destructiveHint: true, openWorldHint: true } as const;
  const confirm = z
    .boolean()
    .default(false)
    .describe('false (default): only say what would happen; true: do it (after the user agreed)');
  for (const action of ['pause', 'resume'] as const) {
    server.registerTool(
      `${action}_cards`,
      {
        title: action === 'pause' ? 'Pause cards (停机)' : 'Resume cards (复机)',
        description:
          `${action === 'pause' ? 'Suspends' : 'Resumes'} cards at their suppliers as a bulk job. ` +
          'Without confirm: the cards per account it would touch. With confirm: true: the job.',
        inputSchema: { cardIds: z.array(CardId).min(1).max(1000), confirm },
        annotations: act,
      },
      async ({ cardIds, confirm: confirmed }) => {
        const selection = { cardIds };
        if (!confirmed) {
          const plan = await call('POST', '/api/v1/jobs/plan', { selection });
          if (plan.status !== 200) return answer(plan);
          return json({
            preview: true,
            wouldRun: `${action} on ${(plan.body as { total: number }).total} cards`,
            plan: plan.body,
            next: 'show this to the user; call again with confirm: true only if they agree',
          });
        }
        return answer(await call('POST', '/api/v1/jobs', { action, selection }));
      },
    );
  }
  server.registerTool(
    'send_sms',
    {
      title: 'Send an SMS to a card',
      description:
        'Sends a text to one card through its supplier. Without confirm: what would be sent to ' +
        'which card. With confirm: true: sends it.',
      inputSchema: {
        cardId: CardId,
        text: z.string().min(1).max(500),
        confirm,
      },
      annotations: act,
    },
    async ({ cardId, text, confirm: confirmed }) => {
      if (!confirmed) {
        const card = await call('GET', `/api/v1/cards/${cardId}`);
        if (card.status !== 200) return answer(card);
        const { iccid, msisdn, account } = card.body as Record<string, unknown>;
        return json({
          preview: true,
          wouldSend: { cardId, iccid, msisdn, account, text },
          next: 'show this to the user; call again with confirm: true only if they agree',
        });
      }
      return answer(await call('POST', `/api/v1/cards/${cardId}/sms`, { text }));
    },
  );
}

async function cardIdOf(call: ApiCall, iccid: string): Promise<number | null> {
  const found = await call('GET', `/api/v1/cards?q=${encodeURIComponent(iccid)}&limit=2`);
  const cards = (found.body as { cards?: { id: number; iccid: string | null }[] } | null)?.cards;
  return cards?.find((card) => card.iccid === iccid)?.id ?? cards?.[0]?.id ?? null;
}

/** An API answer as a tool result: its body, marked as an error when the API refused. */
function answer(response: { status: number; body: unknown }): CallToolResult {
  if (response.status >= 400) {
    const error = (response.body as { error?: { code: string; message: string } } | null)?.error;
    return failure(
      error ? `${error.code}: ${error.message}` : `the API answered ${response.status}`,
    );
  }
  return json(response.body);
}

function json(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}

function failure(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}
