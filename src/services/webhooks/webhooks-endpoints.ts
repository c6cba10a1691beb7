import { SimdockError } from '../../domain/index.js';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import {
  parseEventTypes,
  type TenantFilter,
  type WebhookEndpoint,
  WebhooksRepository,
} from '../../store/repositories/webhooks-repository.js';
import type { SecretSealer } from '../../store/secret-sealer.js';
import type { ServiceContext } from '../context.js';
import { newWebhookSecret } from './webhooks-signing.js';
import { checkWebhookTarget, type TargetPolicy } from './webhooks-targets.js';

/** How webhook services are set up: the target policy and, optionally, the secret sealer. */
export interface WebhookSettings extends TargetPolicy {
  sealer?: SecretSealer;
}

export interface CreateEndpointInput {
  tenantId: string;
  url: string;
  /** Event type names (without the `simdock.` prefix); empty or absent = every type. */
  eventTypes?: readonly string[];
  description?: string | null;
  enabled?: boolean;
  createdBy?: string | null;
}

/**
 * Creates an endpoint after checking its URL (private targets refused unless allowed) and its
 * tenant. Returns the endpoint and its signing secret: the only time the secret is shown.
 */
export async function createWebhookEndpoint(
  context: ServiceContext,
  input: CreateEndpointInput,
  settings: WebhookSettings = {},
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const eventTypes = parseEventTypes(input.eventTypes ?? []);
  const { url } = await checkWebhookTarget(input.url, settings);
  const tenant = await new TenantsRepository(context.store).get(input.tenantId);
  if (!tenant) {
    throw new SimdockError('not_found', `no tenant "${input.tenantId}"`, {
      details: { tenant: input.tenantId },
    });
  }
  const secret = newWebhookSecret();
  const endpoint = await repository(context, settings).createEndpoint({
    tenantId: tenant.id,
    url: url.toString(),
    secret,
    eventTypes,
    description: input.description ?? null,
    enabled: input.enabled,
    createdBy: input.createdBy ?? null,
    now: context.clock.now(),
  });
  return { endpoint, secret };
}

/** Changes an endpoint (URL re-checked like at creation). */
export async function updateWebhookEndpoint(
  context: ServiceContext,
  id: number,
  tenants: TenantFilter,
  changes: {
    url?: string;
    eventTypes?: readonly string[];
    enabled?: boolean;
    description?: string | null;
  },
  settings: WebhookSettings = {},
): Promise<WebhookEndpoint> {
  const url =
    changes.url === undefined
      ? undefined
      : (await checkWebhookTarget(changes.url, settings)).url.toString();
  return repository(context, settings).updateEndpoint(
    id,
    tenants,
    {
      url,
      eventTypes:
        changes.eventTypes === undefined ? undefined : parseEventTypes(changes.eventTypes),
      enabled: changes.enabled,
      description: changes.description,
    },
    context.clock.now(),
  );
}

function repository(context: ServiceContext, settings: WebhookSettings): WebhooksRepository {
  return new WebhooksRepository(context.store, settings.sealer);
}
