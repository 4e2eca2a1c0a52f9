/** `set-memory-limit`: one container's memory limit in the pod template, keeping its request ≤ the limit. */
import { planContainerLimit } from '../container-limit.js';
import type { ActionHandler } from '../types.js';

export const setMemoryLimitAction: ActionHandler<'set-memory-limit'> = {
  kind: 'set-memory-limit',
  namespaceOf: (params) => params.namespace,
  plan: (ctx, params) => planContainerLimit(ctx, params, 'memory'),
};
