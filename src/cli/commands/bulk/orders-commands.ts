import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as ordersPlace from './orders-place.js';
import * as ordersProducts from './orders-products.js';
import * as ordersShow from './orders-show.js';

/** `simdock orders products|recharge|renew|show` (Quectel accounts). */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(
    program,
    context,
    { name: 'orders', description: 'flow packages and renewals (Quectel)' },
    [ordersProducts, ordersPlace, ordersShow],
  );
}
