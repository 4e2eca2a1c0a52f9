/**
 * VOLUME_ZONE_CONFLICT: FailedScheduling with "volume node affinity conflict" (newer schedulers: "didn't match
 * PersistentVolume's node affinity"): the volume's zone has no node that can take the pod.
 */
import type { Playbook } from '../src/diagnosis/playbook.js';
import { podName } from '../src/diagnosis/pods.js';
import { nodeBlocker, nodesPerZone, unscheduledPods, VOLUME_AFFINITY } from '../src/diagnosis/scheduling.js';
import { namedTarget } from '../src/diagnosis/target.js';
import { type Node, nodeZone, type Pod, volumeZones } from '../src/kube/reader.js';
import type { Evidence } from '../src/types.js';

export const volumeZoneConflict: Playbook = {
  name: 'volume-zone-conflict',
  rootCauses: ['VOLUME_ZONE_CONFLICT'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!target?.found) return null;
    const stuck = await unscheduledPods(ctx, target.pods, VOLUME_AFFINITY);
    const first = stuck[0];
    if (!first) return null;
    const pod = first.pod;
    const ns = pod.metadata?.namespace ?? 'default';
    const evidence: Evidence[] = [{ kind: 'event', text: `FailedScheduling for ${podName(pod)}: ${first.message}` }];
    const pvZones = new Set<string>();
    for (const v of (pod.spec?.volumes ?? []).filter((v) => v.persistentVolumeClaim).slice(0, 4)) {
      const claim = v.persistentVolumeClaim?.claimName ?? '';
      const pvc =
        target.pvc?.metadata?.name === claim ? target.pvc : await ctx.read(ctx.reader.getPvc(ns, claim), null);
      const pvName = pvc?.spec?.volumeName;
      const pv = pvName
        ? target.pv?.metadata?.name === pvName
          ? target.pv
          : await ctx.read(ctx.reader.getPv(pvName), null)
        : null;
      if (!pv) continue;
      const zones = volumeZones(pv);
      for (const z of zones) pvZones.add(z);
      const selected = pvc?.metadata?.annotations?.['volume.kubernetes.io/selected-node'];
      evidence.push({
        kind: 'spec',
        text: `PersistentVolume ${pvName} (claim ${claim}) is pinned to zone ${zones.join(', ') || 'unknown'}${selected ? `; it was provisioned for node ${selected}` : ''}`,
      });
    }
    const nodes = await ctx.read(ctx.reader.listNodes(), []);
    const perZone = nodesPerZone(nodes, pod);
    const missing: string[] = [];
    for (const zone of pvZones) {
      const z = perZone.get(zone);
      if (!z) missing.push(zone);
      evidence.push({
        kind: 'status',
        text: z
          ? `Volume zone ${z.text}`
          : `Volume zone ${zone}: no nodes at all (the zone's nodes were removed or scaled down)`,
      });
    }
    const others = [...perZone].filter(([zone]) => !pvZones.has(zone)).map(([, z]) => z.text);
    if (others.length > 0) evidence.push({ kind: 'status', text: `Other zones: ${others.join('; ')}` });
    const scaleUp = first.events.filter((e) => e.reason === 'NotTriggerScaleUp').at(-1);
    if (scaleUp?.message) evidence.push({ kind: 'event', text: `Cluster autoscaler: ${scaleUp.message}` });
    const zonesText = [...pvZones].join(', ') || 'its zone';
    const schedulable = nodes.filter((n) => pvZones.has(nodeZone(n) ?? '')).length;
    const why =
      missing.length > 0
        ? `zone ${missing.join(', ')} has no nodes`
        : schedulable > 0
          ? `no node in zone ${zonesText} can take it (${blockers(perZone, pvZones, pod)})`
          : `zone ${zonesText} has no usable node`;
    const summary = `${stuck.length > 1 ? `${stuck.length} pods` : `Pod ${podName(pod)}`} cannot be scheduled: the PersistentVolume is pinned to zone ${zonesText} and ${why}. Add or uncordon a node in ${zonesText} (or scale that node group up); the volume cannot move zones.`;
    return {
      rootCause: { code: 'VOLUME_ZONE_CONFLICT', summary, confidence: pvZones.size > 0 ? 'high' : 'medium' },
      evidence,
      actions: [],
    };
  },
};

/** "ip-a cordoned (unschedulable), ip-b NotReady (…)" for the nodes of the volume's zones. */
function blockers(perZone: Map<string, { nodes: Node[] }>, zones: Set<string>, pod: Pod): string {
  const nodes = [...zones].flatMap((z) => perZone.get(z)?.nodes ?? []);
  return nodes.map((n) => `${n.metadata?.name} ${nodeBlocker(n, pod) ?? 'schedulable'}`).join(', ');
}
