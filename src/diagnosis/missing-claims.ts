/**
 * A pod that names a PersistentVolumeClaim that does not exist: the scheduler's VolumeBinding plugin refuses it on
 * every node ("0/6 nodes are available: persistentvolumeclaim \"data-v2\" not found."), and it stays Pending until
 * the claim is created or the reference corrected. A claim being deleted ("persistentvolumeclaim \"data-0\" is being
 * deleted") is refused the same way: kubernetes.io/pvc-protection keeps it only while a pod uses it, then it goes,
 * and with its volume's reclaim policy Delete, so does the data — unless the volume is set to Retain first. No provisioner is involved (no claim, so no class), and no node
 * would take it. When a Deployment's newest revision brought the reference, the previous revision's claims say what
 * it used before. UNKNOWN's finding: no root-cause code names a missing claim, and Medic proposes nothing.
 */
import type { Deployment, Pod } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import type { PlaybookContext, ResolvedTarget } from './playbook.js';
import { claimsOf, isoTime, listNames, podName, schedulingMessage } from './pods.js';

const CLAIM_NOT_FOUND = /persistentvolumeclaim "([^"]+)" not found/;
const CLAIM_DELETING = /persistentvolumeclaim "([^"]+)" is being deleted/;

/** The claim the scheduler's refusal of an unplaced pod names (its PodScheduled condition), by `refusal`. */
const refusedClaim = (pod: Pod, refusal: RegExp) =>
  pod.spec?.nodeName ? null : (refusal.exec(schedulingMessage(pod, []) ?? '')?.[1] ?? null);

/** The claim the scheduler could not find for `pod`. */
export const claimNotFound = (pod: Pod) => refusedClaim(pod, CLAIM_NOT_FOUND);

/** The target's pods refused for one claim (the first refused pod's), with that claim and its namespace. */
function waitingOnClaim(target: ResolvedTarget, refusal: RegExp) {
  const waiting = target.pods.map((pod) => ({ pod, claim: refusedClaim(pod, refusal) }));
  const first = waiting.find((p) => p.claim !== null);
  if (!first?.claim) return null;
  const pods = waiting.filter((p) => p.claim === first.claim).map((p) => podName(p.pod));
  return { claim: first.claim, pod: first.pod, namespace: first.pod.metadata?.namespace ?? 'default', pods };
}

/** The finding for pods Pending on a claim that is being deleted, or null. */
async function deletingClaimFinding(
  ctx: PlaybookContext,
  target: ResolvedTarget,
  evidence: Evidence[],
): Promise<string | null> {
  const first = waitingOnClaim(target, CLAIM_DELETING);
  if (!first) return null;
  const { namespace } = first;
  const pods = listNames(first.pods, 3);
  const pvc = await ctx.read(ctx.reader.getPvc(namespace, first.claim), null);
  const volume = pvc?.spec?.volumeName;
  const pv = volume ? await ctx.read(ctx.reader.getPv(volume), null) : null;
  const policy = pv?.spec?.persistentVolumeReclaimPolicy;
  evidence.push({
    kind: 'status',
    text: pvc
      ? `PersistentVolumeClaim ${namespace}/${first.claim}: deletion requested ${isoTime(pvc.metadata?.deletionTimestamp)}, finalizers ${(pvc.metadata?.finalizers ?? []).join(', ') || 'none'}; volume ${volume ?? 'none'}${policy ? ` (reclaim policy ${policy})` : ''}`
      : `PersistentVolumeClaim ${namespace}/${first.claim} is gone now`,
  });
  const data =
    policy === 'Retain'
      ? `Its volume ${volume} has reclaim policy Retain, so the data stays when the claim goes: bind a new claim to it (spec.volumeName) to get it back.`
      : `${volume ? `Its volume ${volume} has reclaim policy ${policy ?? 'Delete'}` : 'Its volume'}: when the claim goes, so does the data. If the deletion was a mistake, set the volume's persistentVolumeReclaimPolicy to Retain now, before the claim goes, then bind a new claim to it.`;
  return `${pods} cannot be scheduled: PersistentVolumeClaim ${first.claim} is being deleted, and no pod may start on a claim being deleted. kubernetes.io/pvc-protection keeps the claim only while a pod still uses it. ${data} Medic proposes nothing.`;
}

/** What the newest revision changed about the claim, when the target is a Deployment's: a sentence, or ''. */
async function brought(ctx: PlaybookContext, target: ResolvedTarget, pod: Pod, claim: string): Promise<string> {
  const w = target.workload;
  if (w?.kind !== 'Deployment') return '';
  const [newest, previous] = await ctx.read(ctx.reader.replicaSetsOf(w.object as Deployment), []);
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (!newest || !previous || newest.replicaSet.metadata?.labels?.['pod-template-hash'] !== hash) return '';
  const before = claimsOf((previous.replicaSet.spec?.template ?? {}) as Pod);
  if (before.includes(claim)) return '';
  const used = before.length > 0 ? `mounted ${listNames(before, 3)}` : 'mounted no claim';
  return ` Revision ${newest.revision} brought the reference; revision ${previous.revision} ${used}: roll back (\`kubectl rollout undo deployment/${w.name} -n ${w.namespace} --to-revision=${previous.revision}\`) if the new claim name is a mistake.`;
}

/**
 * The finding for pods Pending on a claim that does not exist (checked with a GET: one created since the scheduler
 * last tried is said so), or null.
 */
export async function missingClaimFinding(
  ctx: PlaybookContext,
  target: ResolvedTarget,
  evidence: Evidence[],
): Promise<string | null> {
  const first = waitingOnClaim(target, CLAIM_NOT_FOUND);
  if (!first) return deletingClaimFinding(ctx, target, evidence);
  const { namespace, pods } = first;
  const exists = (await ctx.read(ctx.reader.getPvc(namespace, first.claim), null)) !== null;
  evidence.push({
    kind: 'status',
    text: `${listNames(pods, 3)} cannot be scheduled: PersistentVolumeClaim ${namespace}/${first.claim} ${exists ? 'exists now, though the scheduler did not find it' : 'does not exist'}`,
  });
  if (exists) {
    return `${listNames(pods, 3)} waited for PersistentVolumeClaim ${first.claim}, which exists now: the scheduler retries on its own. Medic proposes nothing.`;
  }
  const volume = first.pod.spec?.volumes?.find((v) => v.persistentVolumeClaim?.claimName === first.claim)?.name;
  return `${listNames(pods, 3)} ${pods.length === 1 ? 'is' : 'are'} Pending because ${pods.length === 1 ? 'its' : 'their'} volume ${volume ?? '?'} names PersistentVolumeClaim ${first.claim}, which does not exist in namespace ${namespace}: no node can take ${pods.length === 1 ? 'it' : 'them'} until the claim is created or the name corrected.${await brought(ctx, target, first.pod, first.claim)} Medic proposes nothing.`;
}
