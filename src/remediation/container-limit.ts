/**
 * One container's limit of one resource (memory or CPU) in a workload's pod template, keeping its request ≤ the
 * limit: the plan behind set-memory-limit and set-cpu-limit, so both kinds diff, check and patch the same way.
 */
import { templateRollout } from '../kube/writer.js';
import { parseQuantity } from '../quantity.js';
import type { DiffLine } from '../types.js';
import { AlreadyInEffect, notApplicable } from './errors.js';
import type { ActionContext, Plan } from './types.js';
import { findContainer, manifestEdit, NONE, parseWorkloadRef, templateOf } from './workload.js';

export type LimitedResource = 'memory' | 'cpu';

const LABEL: Record<LimitedResource, string> = { memory: 'memory', cpu: 'CPU' };

export interface ContainerLimitParams {
  namespace: string;
  workload: string;
  container: string;
  limit: string;
}

/** How the pods come to run the new limit, as the workload's update strategy decides. */
function replacementNote(kind: string, name: string, rollout: ReturnType<typeof templateRollout>): string {
  if (rollout === 'on-delete') {
    return `${kind}/${name} has updateStrategy OnDelete: its pods keep the old limit until each is deleted; delete them one at a time to take the new one.`;
  }
  if (rollout === 'recreate')
    return `Deployment/${name} uses strategy Recreate: all its pods stop, then start with the new limit.`;
  return `Pods of ${kind}/${name} are replaced by a rolling update to take the new limit.`;
}

export async function planContainerLimit(
  ctx: ActionContext,
  params: ContainerLimitParams,
  resource: LimitedResource,
): Promise<Plan> {
  const { namespace, limit } = params;
  const label = LABEL[resource];
  const ref = parseWorkloadRef(params.workload);
  // Quantities compare by value (`1` and `1000m` are one core), so parse both sides the same way.
  const limitValue = parseQuantity(limit);
  if (limitValue === null || limitValue <= 0) throw notApplicable(`${label} limit "${limit}" must be above zero`);
  const workload = await ctx.writer.readWorkload(namespace, ref.kind, ref.name, ctx.signal);
  const { list, container } = findContainer(templateOf(workload, ref), params.container, ref);
  const limitBefore = container.resources?.limits?.[resource];
  const requestBefore = container.resources?.requests?.[resource];
  const path = `spec.template.spec.${list}[${container.name}].resources`;
  if (limitBefore !== undefined && parseQuantity(limitBefore) === limitValue) {
    throw new AlreadyInEffect(
      `container ${container.name} of ${ref.kind}/${ref.name} already has a ${limitBefore} ${resource === 'cpu' ? 'CPU ' : ''}limit`,
    );
  }

  const diff: DiffLine[] = [{ field: `${path}.limits.${resource}`, before: limitBefore ?? NONE, after: limit }];
  const notes: string[] = [];
  const requestValue = requestBefore === undefined ? null : parseQuantity(requestBefore);
  const lowerRequest = requestValue !== null && requestValue > limitValue;
  if (lowerRequest) {
    diff.push({ field: `${path}.requests.${resource}`, before: requestBefore ?? NONE, after: limit });
    notes.push(`The ${label} request (${requestBefore}) is lowered to the new limit, as a request may not exceed it.`);
  }
  const limitBeforeValue = limitBefore === undefined ? null : parseQuantity(limitBefore);
  if (limitBeforeValue !== null && limitBeforeValue > limitValue) {
    notes.push(`This lowers the limit (${limitBefore} → ${limit}).`);
  }
  notes.push(replacementNote(ref.kind, ref.name, templateRollout(ref.kind, workload)));

  const resources = {
    limits: { [resource]: limit },
    ...(lowerRequest ? { requests: { [resource]: limit } } : {}),
  };
  // Strategic merge: the container list merges by name, so other containers and fields stay as they are.
  const patch = { spec: { template: { spec: { [list]: [{ name: container.name, resources }] } } } };
  return {
    diff,
    notes,
    edits: [manifestEdit(ref.kind, namespace, workload, patch)],
    precondition: {
      kind: ref.kind,
      namespace,
      name: ref.name,
      fields: {
        [`${path}.limits.${resource}`]: limitBefore ?? NONE,
        [`${path}.requests.${resource}`]: requestBefore ?? NONE,
      },
    },
    async apply(dryRun) {
      await ctx.writer.patchWorkload(namespace, ref.kind, ref.name, patch, 'strategic', {
        dryRun,
        signal: ctx.signal,
      });
      return `${label} limit of ${container.name} in ${ref.kind}/${ref.name} set to ${limit}`;
    },
  };
}
