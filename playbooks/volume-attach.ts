/**
 * VOLUME_ATTACH_FAILURE: pods stuck Pending/ContainerCreating with FailedAttachVolume / FailedMount events. Names
 * the zone the failures concentrate in (several pods, none of the workload's ready there) and proposes cordoning
 * that zone's nodes within the blast radius; a network filesystem's server or a CSI driver missing on the node
 * (src/diagnosis/mount-failures.ts) is named instead of any zone.
 */
import { cordonAction, planCordon } from '../src/diagnosis/cordon.js';
import { mountFailure } from '../src/diagnosis/mount-failures.js';
import type { Playbook, PlaybookContext } from '../src/diagnosis/playbook.js';
import { claimsOf, eventEvidence, isPodReady, listNames, podName, podRevision } from '../src/diagnosis/pods.js';
import { namedTarget } from '../src/diagnosis/target.js';
import { multiAttachHolders, singleNodeClaim } from '../src/diagnosis/volumes.js';
import { type KubeEvent, nodeLocation, nodeZone, type Pod, type Workload } from '../src/kube/reader.js';
import { templateRollout } from '../src/kube/rollouts.js';
import type { Evidence, ProposedAction } from '../src/types.js';

const VOLUME_REASONS = new Set(['FailedAttachVolume', 'FailedMount']);
const MAX_PODS_READ = 8;

export const volumeAttach: Playbook = {
  name: 'volume-attach',
  rootCauses: ['VOLUME_ATTACH_FAILURE'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!target?.found) return null;
    // A pod or volume alert looks at the workload's other pods too: a zonal outage shows as failures concentrated in one zone.
    const siblings =
      target.workload && target.kind !== target.workload.kind
        ? await ctx.read(ctx.reader.podsOf(target.workload), [])
        : [];
    const pods = uniquePods([...target.pods, ...siblings]);
    const waiting = pods.filter(
      (p) => p.spec?.nodeName && !isPodReady(p) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
    );
    const failing: { pod: Pod; events: KubeEvent[] }[] = [];
    for (const pod of waiting.slice(0, MAX_PODS_READ)) {
      const events = await ctx.read(ctx.reader.eventsFor(pod.metadata?.namespace, 'Pod', podName(pod)), []);
      const volumeEvents = events.filter((e) => VOLUME_REASONS.has(e.reason ?? ''));
      if (volumeEvents.length > 0) failing.push({ pod, events: volumeEvents });
    }
    const targetNames = new Set(target.pods.map(podName));
    if (!failing.some((f) => targetNames.has(podName(f.pod)))) return null;

    const nodes = await ctx.read(ctx.reader.listNodes(), []);
    const nodeOf = new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));
    const zoneOf = (p: Pod) => {
      const node = nodeOf.get(p.spec?.nodeName ?? '');
      return node ? nodeZone(node) : undefined;
    };
    const whereOf = (p: Pod) => nodeLocation(nodeOf.get(p.spec?.nodeName ?? ''));
    const failingPlaces = count(failing.map((f) => whereOf(f.pod)));
    const healthy = pods.filter((p) => isPodReady(p));
    const healthyPlaces = new Set(healthy.map(whereOf));
    // Only an availability zone makes a zonal story: unlabelled nodes or Azure fault domains ("1") are not zones.
    const failingZones = new Set(failing.map((f) => zoneOf(f.pod)));
    const topZone = failingZones.size === 1 ? [...failingZones][0] : undefined;
    const topCount = failing.length;
    const concentrated = topZone !== undefined && !healthy.some((p) => zoneOf(p) === topZone);

    const evidence: Evidence[] = [];
    for (const f of failing.slice(0, 4)) {
      evidence.push({
        kind: 'status',
        text: `Pod ${podName(f.pod)} on node ${f.pod.spec?.nodeName} (${whereOf(f.pod)}) is ${waitingReason(f.pod)}`,
      });
      const attach = f.events.filter((e) => e.reason === 'FailedAttachVolume').at(-1);
      const mount = f.events.filter((e) => e.reason === 'FailedMount').at(-1);
      for (const e of [attach, mount]) if (e) evidence.push(eventEvidence(e));
    }
    const zoneText = [...failingPlaces].map(([z, n]) => `${z}: ${n}`).join(', ');
    evidence.push({
      kind: 'status',
      text: `Failing pods per zone: ${zoneText}${healthy.length > 0 ? `; healthy pods run in ${[...healthyPlaces].join(', ')}` : ''}`,
    });
    const faultDomains = [...new Set(nodes.map((n) => nodeLocation(n)).filter((w) => w.startsWith('fault domain')))];
    if (faultDomains.length > 0 && !nodes.some((n) => nodeZone(n))) {
      evidence.push({
        kind: 'status',
        text: `The nodes' zone labels hold Azure fault domains (${faultDomains.sort().join(', ')}), not availability zones: the cluster is not zonal, so failures on one fault domain are no zonal outage.`,
      });
    }

    // Multi-Attach (volume still held by another node) and missing ConfigMaps/Secrets are not zonal storage faults.
    const all = failing.flatMap((f) => f.events);
    const attach = all.filter((e) => e.reason === 'FailedAttachVolume');
    const multiAttachOnly = attach.length > 0 && attach.every((e) => /Multi-Attach/i.test(e.message ?? ''));
    const configOnly = all.every((e) => /(configmap|secret)s? "[^"]*" not found/i.test(e.message ?? ''));
    // A network filesystem lives on its server, a CSI driver's node plugin on each node: neither says anything of a zone.
    const network = nodeSideFailure(failing);
    // One failing pod is no pattern: a zone is named only when several pods fail there and none of them run there.
    const zonal = concentrated && topCount >= 2 && !multiAttachOnly && !configOnly && !network;
    const held = multiAttachOnly ? await multiAttachStory(ctx, failing, pods, target.workload) : null;
    if (held) evidence.push(...held.evidence);
    const actions: ProposedAction[] = [];
    if (zonal) {
      const hosting = failing.map((f) => f.pod.spec?.nodeName ?? '');
      const zoneNodes = nodes.filter((n) => nodeZone(n) === topZone).map((n) => n.metadata?.name ?? '');
      const plan = planCordon([...hosting, ...zoneNodes].filter(Boolean), nodes, ctx.settings);
      for (const n of plan.nodes) actions.push(cordonAction(n, `zone ${topZone} cannot attach volumes`));
      evidence.push(...plan.notes.map((text) => ({ kind: 'spec' as const, text })));
    }
    const summary = zonal
      ? `Volumes fail to attach/mount in zone ${topZone} (${topCount} pod(s) stuck there${healthy.length > 0 ? ', healthy ones only in other zones' : ''}): a zonal storage problem. Keep new pods out of ${topZone} and spread nodes and volumes across zones.`
      : `Pods ${listNames(
          failing.map((f) => podName(f.pod)),
          3,
        )} cannot attach or mount their volumes (${zoneText})${multiAttachOnly ? `: ${held?.sentence ?? 'the volume is still attached to another node (Multi-Attach)'}` : configOnly ? ': a ConfigMap or Secret they mount is missing' : network ? `: ${network.words}${network.type === 'csi' || network.type === 'cloud' || network.type === 'secrets-store' ? '' : `. The volume is served from ${network.source}, not a zone: moving or restarting pods does not help until the server answers`}` : ''}.`;
    return { rootCause: { code: 'VOLUME_ATTACH_FAILURE', summary, confidence: 'high' }, evidence, actions };
  },
};

/**
 * Who holds the volume of a Multi-Attach error, and why: most often a Deployment with a single-node claim
 * (ReadWriteOnce) rolling out with RollingUpdate, whose new pod starts before the old one lets go of the volume, so
 * the rollout can never finish. No action kind changes a strategy, so this is said, not proposed.
 */
async function multiAttachStory(
  ctx: PlaybookContext,
  failing: { pod: Pod; events: KubeEvent[] }[],
  pods: Pod[],
  workload: Workload | null,
): Promise<{ sentence: string; evidence: Evidence[] } | null> {
  // The latest Multi-Attach event of the first waiting pod that has one.
  const found = failing
    .map((f) => ({ ...f, holders: f.events.map((e) => multiAttachHolders(e.message ?? '')).findLast((h) => h) }))
    .find((f) => f.holders);
  if (!found?.holders) return null;
  const { pod: waitingPod, holders } = found;
  const namespace = waitingPod.metadata?.namespace ?? 'default';
  if (holders.length === 0) {
    return {
      sentence: `the volume is still attached to another node, though no pod uses it any more: it is released once that node unmounts it (a node that is down or unreachable holds it until it is back or removed)`,
      evidence: [],
    };
  }
  const holderPods = await Promise.all(
    holders
      .slice(0, 3)
      .map(
        async (name) =>
          pods.find((p) => podName(p) === name) ?? (await ctx.read(ctx.reader.getPod(namespace, name), null)),
      ),
  );
  const evidence: Evidence[] = holderPods.flatMap((p, i) =>
    p
      ? [
          {
            kind: 'status' as const,
            text: `The volume is held by pod ${podName(p)} on node ${p.spec?.nodeName ?? '(none)'}: ${p.status?.phase ?? 'unknown phase'}${p.metadata?.deletionTimestamp ? ', terminating' : ''}${isPodReady(p) ? ', ready' : ''}`,
          },
        ]
      : [{ kind: 'status' as const, text: `The volume is held by pod ${holders[i]}, which no longer exists` }],
  );
  const holder = holderPods.find((p): p is Pod => !!p);
  const claims = claimsOf(waitingPod);
  const claim = claims[0] ? await ctx.read(ctx.reader.getPvc(namespace, claims[0]), null) : null;
  const owner = workload ?? (await ctx.read(ctx.reader.workloadOf(waitingPod), null));
  const holderRevision = holder && podRevision(holder)?.value;
  const oldRevision = holderRevision && holderRevision !== podRevision(waitingPod)?.value;
  const sameWorkload = holder && owner && pods.some((p) => podName(p) === podName(holder));
  if (
    claim &&
    singleNodeClaim(claim) &&
    owner?.kind === 'Deployment' &&
    templateRollout(owner.kind, owner.object) === 'rolling' &&
    sameWorkload &&
    oldRevision
  ) {
    const modes = (claim.spec?.accessModes ?? []).join(', ');
    evidence.push({
      kind: 'spec',
      text: `Claim ${claims[0]} is ${modes}: one node at a time. Deployment ${owner.name} rolls out with strategy RollingUpdate, which starts the new pod ${podName(waitingPod)} before the old pod ${podName(holder)} stops, so the new pod waits for a volume the old one never lets go.`,
    });
    return {
      sentence: `the rollout of Deployment ${owner.name} is stuck: its claim ${claims[0]} is ${modes}, and RollingUpdate starts the new pod before the old pod ${podName(holder)} releases the volume. Set the Deployment's strategy to Recreate (the old pod stops first, a short outage; it also lets this rollout finish), or move the workload to a StatefulSet with a claim per pod. Medic proposes nothing: the strategy belongs in the manifest`,
      evidence,
    };
  }
  return {
    sentence: `the volume is still attached to node ${holder?.spec?.nodeName ?? 'another node'} for pod ${holders.join(', ')} (Multi-Attach): it is released when that pod stops`,
    evidence,
  };
}

/** The first failure that is a server's or a node's (mount-failures.ts), said of every node it happened on. */
function nodeSideFailure(failing: { pod: Pod; events: KubeEvent[] }[]) {
  // Each failing pod's first such message, read once; then said again of every node it happened on.
  const found = failing.flatMap((f) => {
    const hit = f.events
      .map((e) => ({ message: e.message ?? '', reading: mountFailure(e.message ?? '', '') }))
      .find((x) => x.reading !== null);
    return hit ? [{ node: f.pod.spec?.nodeName ?? '?', message: hit.message, source: hit.reading?.source }] : [];
  });
  const first = found[0];
  if (!first) return null;
  const nodes = [...new Set(found.filter((x) => x.source === first.source).map((x) => x.node))];
  return mountFailure(first.message, nodes.length === 1 ? `node ${nodes[0]}` : `nodes ${listNames(nodes, 4)}`);
}

function waitingReason(pod: Pod): string {
  const reason = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting?.reason;
  return `${pod.status?.phase ?? 'Pending'}${reason ? `/${reason}` : ''}`;
}

function uniquePods(pods: Pod[]): Pod[] {
  return [...new Map(pods.map((p) => [podName(p), p])).values()];
}

function count(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}
