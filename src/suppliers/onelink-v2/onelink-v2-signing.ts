import { type FetchFunction, SupplierError } from '../spec/index.js';
import {
  ONELINK_V2_ENDPOINTS,
  type OnelinkV2Endpoint,
  onelinkV2Token,
} from './onelink-v2-protocol.js';

/** What the signing decorator needs. */
export interface OnelinkV2SigningOptions {
  appid: string;
  password: string;
  /** The ability code of each endpoint (ebid is per API ability: PROTOCOL-NOTES.md). */
  ebids: Partial<Record<OnelinkV2Endpoint, string>>;
  /** Makes a fresh transid for each call. */
  transid: () => string;
}

/**
 * A fetch decorator that signs a OneLink v2 call: it puts the public parameters `appid`,
 * `transid`, `ebid` and `token` first in the query string (the order of the documents' URL
 * examples), followed by the call's own parameters. The endpoint is the last path segment.
 */
export function withOnelinkV2Signing(
  fetchFunction: FetchFunction,
  options: OnelinkV2SigningOptions,
): FetchFunction {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const endpoint = url.pathname.split('/').filter(Boolean).pop() ?? '';
    const ebid = (ONELINK_V2_ENDPOINTS as readonly string[]).includes(endpoint)
      ? options.ebids[endpoint as OnelinkV2Endpoint]
      : undefined;
    if (!ebid) {
      throw new SupplierError(
        'config_error',
        `no OneLink v2 ebid is configured for "${endpoint}" (setting ebids.${endpoint})`,
        { retryable: false, details: { endpoint } },
      );
    }
    const transid = options.transid();
    const query = new URLSearchParams({
      appid: options.appid,
      transid,
      ebid,
      token: onelinkV2Token(options.appid, options.password, transid),
    });
    for (const [name, value] of url.searchParams) {
      if (!query.has(name)) query.append(name, value);
    }
    url.search = query.toString();
    if (input instanceof Request) return fetchFunction(new Request(url, input), init);
    return fetchFunction(url.toString(), init);
  };
}
