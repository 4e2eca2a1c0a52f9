/**
 * `cordon-node`: `spec.unschedulable: true`, marked with an annotation so Medic can count the nodes it cordoned.
 * Blast radius: at most remediation.maxCordonNodes nodes cordoned by Medic, and never more than half of a zone.
 */
import { nodeZone } from '../../kube/selectors.js';
import { AlreadyInEffect, railRefusal } from '../errors.js';
import type { ActionHandler } from '../types.js';

export const CORDONED_BY_MEDIC = 'medic.dev/cordoned-at';

export const cordonNodeAction: ActionHandler<'cordon-node'> = {
  kind: 'cordon-node',
  namespaceOf: () => undefined,
  exclusive: 'cordon-node',
  async plan(ctx, params) {
    const name = params.node;
    const node = await ctx.writer.readNode(name, ctx.signal);
    if (node.spec?.unschedulable) throw new AlreadyInEffect(`Node ${name} is already cordoned`);
    const nodes = await ctx.writer.listNodes(ctx.signal);
    const limit = ctx.settings.remediation.maxCordonNodes;
    const byMedic = nodes.filter((n) => n.spec?.unschedulable && n.metadata?.annotations?.[CORDONED_BY_MEDIC]);
    if (byMedic.length + 1 > limit) {
      const names = byMedic.map((n) => n.metadata?.name).join(', ') || 'none';
      throw railRefusal(
        'remediation.maxCordonNodes',
        `Medic may keep at most ${limit} node(s) cordoned and already has ${byMedic.length} (${names})`,
      );
    }
    const zone = nodeZone(node);
    const peers = nodes.filter((n) => nodeZone(n) === zone);
    const cordoned = peers.filter((n) => n.spec?.unschedulable).length;
    const zoneName = zone ?? 'without an availability zone';
    if ((cordoned + 1) * 2 > peers.length) {
      throw railRefusal(
        'zone-half',
        `cordoning ${name} would leave more than half of zone ${zoneName} unschedulable (${cordoned + 1} of ${peers.length} nodes)`,
      );
    }
    const at = new Date(ctx.now()).toISOString();
    return {
      diff: [{ field: `Node/${name} spec.unschedulable`, before: 'false', after: 'true' }],
      notes: [
        `Zone ${zoneName}: ${cordoned + 1} of ${peers.length} nodes unschedulable after this. Running pods stay; nothing is drained.`,
      ],
      precondition: { kind: 'Node', name, fields: { 'spec.unschedulable': 'false' } },
      async apply(dryRun) {
        const patch = { metadata: { annotations: { [CORDONED_BY_MEDIC]: at } }, spec: { unschedulable: true } };
        await ctx.writer.patchNode(name, patch, { dryRun, signal: ctx.signal });
        return `Node ${name} cordoned`;
      },
    };
  },
};
