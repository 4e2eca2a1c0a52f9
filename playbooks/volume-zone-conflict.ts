/**
 * VOLUME_ZONE_CONFLICT: FailedScheduling with "volume node affinity conflict" (newer schedulers: "didn't match
 * PersistentVolume's node affinity"): the volume's zone has no node that can take the pod — or replicas of one
 * workload share a ReadWriteOnce claim another replica already uses on the one node the volume is usable on.
 */
import type { Playbook, PlaybookContext } from '../src/diagnosis/playbook.js';
import { claimsOf, podName } from '../src/diagnosis/pods.js';
import { nodeBlocker, nodesPerZone, unscheduledPods, VOLUME_AFFINITY } from '../src/diagnosis/scheduling.js';
import { namedTarget } from '../src/diagnosis/target.js';
import { type Node, nodeZone, type Pod, volumeNodes, volumeZones } from '../src/kube/reader.js';
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
    // A pod alert's target is the one pod: its workload's other replicas are where a shared claim is held.
    const replicas = target.workload ? await ctx.read(ctx.reader.podsOf(target.workload), target.pods) : target.pods;
    const shared = await sharedClaim(ctx, pod, replicas, evidence);
    if (shared)
      return {
        rootCause: { code: 'VOLUME_ZONE_CONFLICT', summary: shared, confidence: 'high' },
        evidence,
        actions: [],
      };
    const pvZones = new Set<string>();
    const pinnedNodes: string[] = [];
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
      pinnedNodes.push(...volumeNodes(pv));
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
    const who = stuck.length > 1 ? `${stuck.length} pods` : `Pod ${podName(pod)}`;
    const onNode = nodes.find((n) => n.metadata?.name === pinnedNodes[0]);
    const summary =
      pvZones.size === 0 && pinnedNodes.length > 0
        ? `${who} cannot be scheduled: its PersistentVolume is a local volume pinned to node ${pinnedNodes.join(', ')}, and ${onNode ? `that node cannot take it (${nodeBlocker(onNode, pod) ?? "no room, or the pod's own constraints keep it off"})` : 'that node no longer exists'}. A local volume cannot move: make room on or repair that node, or (losing its data) delete the claim so a new volume is made where the pod can run.`
        : `${who} cannot be scheduled: the PersistentVolume is pinned to zone ${zonesText} and ${why}. Add or uncordon a node in ${zonesText} (or scale that node group up); the volume cannot move zones.`;
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

/**
 * A pod that shares a ReadWriteOnce claim with a running replica of its workload: the volume is usable on one node
 * only (the node a local volume is pinned to, or the one it is attached to), and the workload's replicas cannot all
 * be there (its anti-affinity keeps them apart, or the node is full). A Deployment whose replicas share one claim runs
 * one replica, whatever nodes are added. The summary (its evidence added), or null.
 */
async function sharedClaim(ctx: PlaybookContext, pod: Pod, pods: Pod[], evidence: Evidence[]): Promise<string | null> {
  const ns = pod.metadata?.namespace ?? 'default';
  for (const claim of claimsOf(pod)) {
    const holder = pods.find((p) => podName(p) !== podName(pod) && p.spec?.nodeName && claimsOf(p).includes(claim));
    if (!holder) continue;
    const pvc = await ctx.read(ctx.reader.getPvc(ns, claim), null);
    const modes = pvc?.spec?.accessModes ?? [];
    if (!modes.some((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod')) continue;
    const pv = pvc?.spec?.volumeName ? await ctx.read(ctx.reader.getPv(pvc.spec.volumeName), null) : null;
    const pinned = pv ? volumeNodes(pv) : [];
    const node = holder.spec?.nodeName;
    evidence.push({
      kind: 'spec',
      text: `Claim ${claim} (${modes.join(', ')}${pinned.length > 0 ? `, a local volume pinned to node ${pinned.join(', ')}` : ''}) is mounted by ${podName(holder)} on node ${node}`,
    });
    const apart = /pod anti-affinity/.test(
      pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? '',
    );
    return `Pod ${podName(pod)} cannot be scheduled: it mounts claim ${claim} (${modes.join(', ')}), which ${podName(holder)} already uses on node ${node}${pinned.length > 0 ? ', the one node its local volume can be used on' : ''}${apart ? ", and the pods' anti-affinity keeps a second replica off that node" : ''}. Replicas that share one ReadWriteOnce claim can only run together on that node: run one replica, or make the workload a StatefulSet with a claim per replica (volumeClaimTemplates). Adding nodes will not help; Medic proposes nothing.`;
  }
  return null;
}
