/** `set-memory-limit`: one container's memory limit in the pod template, keeping its request ≤ the limit. */

import { parseQuantity } from '../../quantity.js';
import type { DiffLine } from '../../types.js';
import { AlreadyInEffect, notApplicable } from '../errors.js';
import type { ActionHandler } from '../types.js';
import { findContainer, NONE, parseWorkloadRef, templateOf } from '../workload.js';

export const setMemoryLimitAction: ActionHandler<'set-memory-limit'> = {
  kind: 'set-memory-limit',
  namespaceOf: (params) => params.namespace,
  async plan(ctx, params) {
    const { namespace, limit } = params;
    const ref = parseWorkloadRef(params.workload);
    const limitBytes = parseQuantity(limit);
    if (limitBytes === null || limitBytes <= 0) throw notApplicable(`memory limit "${limit}" must be above zero`);
    const workload = await ctx.writer.readWorkload(namespace, ref.kind, ref.name, ctx.signal);
    const { list, container } = findContainer(templateOf(workload, ref), params.container, ref);
    const limitBefore = container.resources?.limits?.memory;
    const requestBefore = container.resources?.requests?.memory;
    const path = `spec.template.spec.${list}[${container.name}].resources`;
    if (limitBefore !== undefined && parseQuantity(limitBefore) === limitBytes) {
      throw new AlreadyInEffect(
        `container ${container.name} of ${ref.kind}/${ref.name} already has a ${limitBefore} limit`,
      );
    }

    const diff: DiffLine[] = [{ field: `${path}.limits.memory`, before: limitBefore ?? NONE, after: limit }];
    const notes: string[] = [];
    const requestBytes = requestBefore === undefined ? null : parseQuantity(requestBefore);
    const lowerRequest = requestBytes !== null && requestBytes > limitBytes;
    if (lowerRequest) {
      diff.push({ field: `${path}.requests.memory`, before: requestBefore ?? NONE, after: limit });
      notes.push(`The memory request (${requestBefore}) is lowered to the new limit, as a request may not exceed it.`);
    }
    const limitBeforeBytes = limitBefore === undefined ? null : parseQuantity(limitBefore);
    if (limitBeforeBytes !== null && limitBeforeBytes > limitBytes) {
      notes.push(`This lowers the limit (${limitBefore} → ${limit}).`);
    }
    notes.push(`Pods of ${ref.kind}/${ref.name} are replaced by a rolling update to take the new limit.`);

    const resources = { limits: { memory: limit }, ...(lowerRequest ? { requests: { memory: limit } } : {}) };
    // Strategic merge: the container list merges by name, so other containers and fields stay as they are.
    const patch = { spec: { template: { spec: { [list]: [{ name: container.name, resources }] } } } };
    return {
      diff,
      notes,
      precondition: {
        kind: ref.kind,
        namespace,
        name: ref.name,
        fields: { [`${path}.limits.memory`]: limitBefore ?? NONE, [`${path}.requests.memory`]: requestBefore ?? NONE },
      },
      async apply(dryRun) {
        await ctx.writer.patchWorkload(namespace, ref.kind, ref.name, patch, 'strategic', {
          dryRun,
          signal: ctx.signal,
        });
        return `memory limit of ${container.name} in ${ref.kind}/${ref.name} set to ${limit}`;
      },
    };
  },
};
