/**
 * A StatefulSet or DaemonSet whose new revision is not rolled out because its update strategy says to wait
 * (kubernetes-mixin's KubeStatefulSetUpdateNotRolledOut, KubeDaemonSetRolloutStuck): `OnDelete` replaces a pod only
 * when someone deletes it, and a StatefulSet's RollingUpdate `partition` updates only the ordinals at or above it (a
 * staged rollout). Nothing fails; the rollout waits for a person. Pure.
 */
import type { DaemonSet, Pod, StatefulSet, Workload } from '../kube/reader.js';
import { listNames, podName } from './pods.js';

/** The finding, with the evidence line; null when the strategy does not hold the rollout. */
export function heldByStrategy(workload: Workload, pods: Pod[]): { summary: string; evidence: string } | null {
  if (workload.kind === 'StatefulSet') return statefulSetHeld(workload.object as StatefulSet, pods);
  if (workload.kind === 'DaemonSet') return daemonSetHeld(workload.object as DaemonSet, pods);
  return null;
}

const byRevision = (pods: Pod[], revision: string | undefined) =>
  pods.filter((p) => revision !== undefined && p.metadata?.labels?.['controller-revision-hash'] === revision);

function statefulSetHeld(sts: StatefulSet, pods: Pod[]) {
  const s = sts.status;
  const name = sts.metadata?.name ?? '?';
  const replicas = sts.spec?.replicas ?? 1;
  const updated = s?.updatedReplicas ?? 0;
  if (!s?.updateRevision || s.updateRevision === s.currentRevision || updated >= replicas) return null;
  const old = byRevision(pods, s.currentRevision).map(podName);
  const oldWords = old.length > 0 ? ` (${listNames(old, 5)})` : '';
  const counted = `${updated} of ${replicas} pod(s) run the new revision ${s.updateRevision}; the others still run ${s.currentRevision ?? 'the previous one'}${oldWords}`;
  const strategy = sts.spec?.updateStrategy;
  if (strategy?.type === 'OnDelete') {
    return {
      evidence: `StatefulSet ${name}: updateStrategy OnDelete; ${counted}`,
      summary: `StatefulSet ${name} uses updateStrategy OnDelete: its controller replaces a pod with the new template only when the pod is deleted, so nothing rolls out on its own. ${counted}. Nothing is failing. To roll out, delete the old pods one at a time, each after the previous replacement is Ready (\`kubectl delete pod <pod> -n ${sts.metadata?.namespace}\`), or switch the strategy to RollingUpdate. Medic proposes nothing.`,
    };
  }
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    return {
      evidence: `StatefulSet ${name}: RollingUpdate partition ${partition}; ${counted}`,
      summary: `StatefulSet ${name} rolls out in stages: its RollingUpdate partition ${partition} updates only pods with ordinal ${partition} and above, so ${Math.min(partition, replicas)} pod(s) keep the old revision by design. ${counted}. Nothing is failing. Lower the partition (to 0 for every pod) to go on with the rollout, or revert the template if the stage went badly. Medic proposes nothing.`,
    };
  }
  return null;
}

function daemonSetHeld(ds: DaemonSet, pods: Pod[]) {
  const s = ds.status;
  const name = ds.metadata?.name ?? '?';
  const desired = s?.desiredNumberScheduled ?? 0;
  const updated = s?.updatedNumberScheduled ?? desired;
  if (ds.spec?.updateStrategy?.type !== 'OnDelete' || updated >= desired) return null;
  return {
    evidence: `DaemonSet ${name}: updateStrategy OnDelete; ${updated} of ${desired} scheduled pod(s) run the current template`,
    summary: `DaemonSet ${name} uses updateStrategy OnDelete: a node's pod gets the new template only when it is deleted, so ${desired - updated} of ${desired} pod(s) still run an older one (${pods.length} pod(s) found). Nothing is failing. Delete the old pods node by node, or switch the strategy to RollingUpdate. Medic proposes nothing.`,
  };
}

/**
 * A StatefulSet rolling update stuck on pods of its new revision that fail: the controller waits for each updated pod
 * to be Ready before it goes on, and it does not replace a pod stuck on a broken revision even after the template is
 * reverted (the "forced rollback" of the StatefulSet documentation): the failing pods must then be deleted by hand.
 * A sentence for the diagnosis, or null when the failing pods are not of a new, unfinished revision.
 */
export function statefulSetRolloutStuck(workload: Workload | null, failing: Pod[]): string | null {
  if (workload?.kind !== 'StatefulSet') return null;
  const sts = workload.object as StatefulSet;
  const s = sts.status;
  if (!s?.updateRevision || s.updateRevision === s.currentRevision) return null;
  const onNew = [...new Set(byRevision(failing, s.updateRevision).map(podName))];
  if (onNew.length === 0) return null;
  const ns = sts.metadata?.namespace ?? workload.namespace;
  const replicas = sts.spec?.replicas ?? 1;
  return `It started with StatefulSet ${workload.name}'s new revision ${s.updateRevision} (${s.updatedReplicas ?? 0} of ${replicas} pod(s) updated, the others on ${s.currentRevision ?? 'the previous one'}): the rolling update waits for ${listNames(onNew, 3)} to be Ready and goes no further. To roll back, revert the template (\`kubectl rollout undo statefulset/${workload.name} -n ${ns}\`), then delete ${listNames(onNew, 3)} yourself: a StatefulSet does not replace a pod stuck on a broken revision. Medic proposes nothing: its rollout-undo is for Deployments.`;
}
