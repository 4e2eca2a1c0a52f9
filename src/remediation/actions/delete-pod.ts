/** `delete-pod`: deletes one pod that a controller will replace; the API server checks it is the same pod (uid). */
import { isMedicError } from '../../errors.js';
import { AlreadyInEffect, notApplicable } from '../errors.js';
import type { ActionHandler } from '../types.js';

export const deletePodAction: ActionHandler<'delete-pod'> = {
  kind: 'delete-pod',
  namespaceOf: (params) => params.namespace,
  async plan(ctx, params) {
    const { namespace, pod: name } = params;
    const pod = await ctx.writer.readPod(namespace, name, ctx.signal).catch((error: unknown) => {
      if (isMedicError(error) && error.code === 'NOT_FOUND') {
        throw new AlreadyInEffect(`Pod ${namespace}/${name} no longer exists`);
      }
      throw error;
    });
    const uid = pod.metadata?.uid ?? '';
    const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
    if (!owner) throw notApplicable(`Pod ${namespace}/${name} has no controller: deleted, it would not come back`);
    if (pod.metadata?.deletionTimestamp) throw new AlreadyInEffect(`Pod ${namespace}/${name} is already being deleted`);
    const where = pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : '';
    return {
      diff: [
        {
          field: `Pod ${name}`,
          before: `${pod.status?.phase ?? 'Unknown'}${where}`,
          after: `deleted (${owner.kind} ${owner.name} creates a replacement)`,
        },
      ],
      notes: [],
      precondition: { kind: 'Pod', namespace, name, fields: { 'metadata.uid': uid } },
      async apply(dryRun) {
        await ctx.writer.deletePod(namespace, name, uid, { dryRun, signal: ctx.signal });
        return `Pod ${namespace}/${name} deleted; ${owner.kind} ${owner.name} replaces it`;
      },
    };
  },
};
