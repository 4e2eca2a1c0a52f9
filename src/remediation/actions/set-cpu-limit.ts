/** `set-cpu-limit`: one container's CPU limit in the pod template, keeping its request ≤ the limit. */
import { planContainerLimit } from '../container-limit.js';
import type { ActionHandler } from '../types.js';

export const setCpuLimitAction: ActionHandler<'set-cpu-limit'> = {
  kind: 'set-cpu-limit',
  namespaceOf: (params) => params.namespace,
  plan: (ctx, params) => planContainerLimit(ctx, params, 'cpu'),
};
