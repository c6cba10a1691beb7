import { type ErrorCode, SimdockError } from '../../domain/index.js';

export interface SupplierErrorOptions {
  /** The supplier's own code, verbatim (`71`, `0014`, `12021`). */
  supplierCode?: string | null;
  /** The supplier's own message, verbatim. */
  supplierMessage?: string | null;
  httpStatus?: number;
  accountId?: string;
  retryable?: boolean;
  /** When the supplier says how long to wait. */
  retryAfterMs?: number;
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** A supplier call that failed, as a whole or for one card. */
export class SupplierError extends SimdockError {
  readonly supplierCode: string | null;
  readonly supplierMessage: string | null;
  readonly httpStatus: number | undefined;
  readonly accountId: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: SupplierErrorOptions = {}) {
    super(code, message, {
      cause: options.cause,
      retryable: options.retryable,
      details: {
        ...options.details,
        ...(options.supplierCode ? { supplierCode: options.supplierCode } : {}),
        ...(options.supplierMessage ? { supplierMessage: options.supplierMessage } : {}),
        ...(options.httpStatus ? { httpStatus: options.httpStatus } : {}),
      },
    });
    this.name = 'SupplierError';
    this.supplierCode = options.supplierCode ?? null;
    this.supplierMessage = options.supplierMessage ?? null;
    this.httpStatus = options.httpStatus;
    this.accountId = options.accountId;
    this.retryAfterMs = options.retryAfterMs;
  }

  static override isInstance(error: unknown): error is SupplierError {
    return SimdockError.isInstance(error) && error.name === 'SupplierError';
  }
}

/** The error for an operation the adapter does not offer. */
export function unsupportedError(supplier: string, operation: string): SupplierError {
  return new SupplierError('unsupported', `${supplier} does not support ${operation}`, {
    details: { supplier, operation },
  });
}

/**
 * Builds the mapping from a supplier's response codes to simdock errors: a table of
 * `code → [ErrorCode, retryable?]`; codes not in the table become `supplier_rejected`.
 */
export function supplierCodeTable(
  supplier: string,
  table: Record<string, { code: ErrorCode; retryable?: boolean; message?: string }>,
) {
  return (supplierCode: string, supplierMessage: string | null, accountId?: string) => {
    const entry = table[supplierCode];
    const code = entry?.code ?? 'supplier_rejected';
    const text = supplierMessage || entry?.message || 'no message';
    return new SupplierError(code, `${supplier} answered ${supplierCode}: ${text}`, {
      supplierCode,
      supplierMessage,
      accountId,
      retryable: entry?.retryable,
    });
  };
}
