/**
 * VOLUME_PROVISIONING_FAILED: a PersistentVolumeClaim stays Pending — its StorageClass does not exist, no class
 * is set and there is no default, or the provisioner fails (ProvisioningFailed) or never acts — and the pods
 * that mount it wait ("pod has unbound immediate PersistentVolumeClaims"). A claim of a WaitForFirstConsumer
 * class waits for its pod to be scheduled: that is normal, and not this playbook's — unless its class provisions
 * nothing (kubernetes.io/no-provisioner) and the scheduler finds no volume to bind on any node.
 */
import type { Playbook, PlaybookContext } from '../src/diagnosis/playbook.js';
import { eventEvidence, listNames, podName, schedulingMessage } from '../src/diagnosis/pods.js';
import { namedTarget } from '../src/diagnosis/target.js';
import { type ClassOfClaim, classOfClaim, isDefaultClass } from '../src/diagnosis/volumes.js';
import {
  eventTime,
  type KubeEvent,
  type PersistentVolumeClaim,
  type Pod,
  type StorageClass,
  volumeNodes,
} from '../src/kube/reader.js';
import type { Evidence } from '../src/types.js';

const MAX_CLAIMS = 4;
/** The provisioner of classes for pre-made volumes (local volumes): it creates nothing. */
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
const NO_VOLUME_TO_BIND = /didn't find available persistent volumes to bind/;
/** A provisioner that has said only "waiting for a volume to be created" this long is not running. */
const SILENT_PROVISIONER_MS = 10 * 60_000;

interface Failure {
  claim: PersistentVolumeClaim;
  cls: ClassOfClaim;
  /** What is wrong, for the summary. */
  why: string;
  /** What to do about it. */
  fix: string;
  /** The claim itself must change (its class): a StatefulSet's claim template too. */
  claimMustChange?: boolean;
  event?: KubeEvent;
}

export const volumeProvisioning: Playbook = {
  name: 'volume-provisioning',
  rootCauses: ['VOLUME_PROVISIONING_FAILED'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!target?.found) return null;
    const waiting = target.pods.filter((p) => p.status?.phase === 'Pending');
    const claims = await pendingClaims(ctx, target.pvc, waiting);
    if (claims.length === 0) return null;
    const classes = await ctx.read(ctx.reader.listStorageClasses(), []);
    // The scheduler's words when a WaitForFirstConsumer claim has no volume to bind on any node.
    const noVolumeToBind = waiting.some((p) => NO_VOLUME_TO_BIND.test(schedulingMessage(p, []) ?? ''));
    const failures: Failure[] = [];
    for (const claim of claims) {
      const events = await ctx.read(
        ctx.reader.eventsFor(claim.metadata?.namespace, 'PersistentVolumeClaim', claim.metadata?.name ?? ''),
        [],
      );
      const cls = classOfClaim(claim, classes);
      const failure =
        cls.kind === 'found' && cls.storageClass.provisioner === NO_PROVISIONER
          ? await noPreparedVolume(ctx, claim, cls.name, cls.storageClass, noVolumeToBind)
          : diagnoseClaim(claim, cls, events);
      if (failure) failures.push(failure);
    }
    const first = failures[0];
    if (!first) return null;

    const evidence: Evidence[] = [];
    for (const f of failures) {
      evidence.push({
        kind: 'status',
        text: `Claim ${f.claim.metadata?.namespace}/${f.claim.metadata?.name} is Pending (${f.claim.spec?.resources?.requests?.storage ?? '?'}, ${classText(f.cls)})`,
      });
      if (f.event) evidence.push(eventEvidence(f.event));
    }
    evidence.push({ kind: 'spec', text: `StorageClasses in the cluster: ${classesText(classes)}` });
    for (const pod of waiting.slice(0, 3)) {
      const events = await ctx.read(ctx.reader.eventsFor(pod.metadata?.namespace, 'Pod', podName(pod)), []);
      const said = schedulingMessage(pod, events);
      evidence.push({ kind: 'status', text: `Pod ${podName(pod)} is Pending${said ? `: ${said}` : ''}` });
    }
    const pods = waiting.length > 0 ? ` Pod(s) ${listNames(waiting.map(podName), 3)} wait for it.` : '';
    const name = `${first.claim.metadata?.namespace}/${first.claim.metadata?.name}`;
    const owner =
      first.claimMustChange && target.workload?.kind === 'StatefulSet' ? statefulSetNote(target.workload.name) : '';
    return {
      rootCause: {
        code: 'VOLUME_PROVISIONING_FAILED',
        summary: `Claim ${name} stays Pending: ${first.why}.${pods} ${first.fix}${owner}`,
        confidence: first.event || first.cls.kind === 'missing' || first.cls.kind === 'none' ? 'high' : 'medium',
      },
      evidence,
      actions: [],
    };
  },
};

/** Pending claims behind the alert: the claim it names, or the claims of its Pending pods. */
async function pendingClaims(
  ctx: PlaybookContext,
  named: PersistentVolumeClaim | undefined,
  pods: Pod[],
): Promise<PersistentVolumeClaim[]> {
  if (named) return named.status?.phase === 'Pending' ? [named] : [];
  const refs = new Map<string, string>();
  for (const pod of pods) {
    for (const v of pod.spec?.volumes ?? []) {
      // A generic ephemeral volume's claim is named <pod>-<volume>.
      const claim = v.persistentVolumeClaim?.claimName ?? (v.ephemeral ? `${podName(pod)}-${v.name}` : undefined);
      if (claim) refs.set(`${pod.metadata?.namespace}/${claim}`, pod.metadata?.namespace ?? 'default');
    }
  }
  const claims: PersistentVolumeClaim[] = [];
  for (const [key, namespace] of [...refs].slice(0, MAX_CLAIMS)) {
    const claim = await ctx.read(ctx.reader.getPvc(namespace, key.slice(namespace.length + 1)), null);
    if (claim?.status?.phase === 'Pending') claims.push(claim);
  }
  return claims;
}

function diagnoseClaim(claim: PersistentVolumeClaim, cls: ClassOfClaim, events: KubeEvent[]): Failure | null {
  const failed = events.filter((e) => e.reason === 'ProvisioningFailed' || e.reason === 'FailedBinding').at(-1);
  const succeeded = events.filter((e) => e.reason === 'ProvisioningSucceeded').at(-1);
  const event = failed && (!succeeded || eventTime(succeeded) < eventTime(failed)) ? failed : undefined;
  const base = { claim, cls, ...(event ? { event } : {}) };
  if (cls.kind === 'missing') {
    return {
      ...base,
      why: `it asks for StorageClass ${cls.name}, which does not exist`,
      fix: `Create StorageClass ${cls.name}, or recreate the claim with an existing class (a claim's class cannot be changed).`,
      claimMustChange: true,
    };
  }
  if (cls.kind === 'none') {
    return {
      ...base,
      why: 'it names no StorageClass and the cluster has no default class, so nothing provisions a volume for it',
      fix: 'Mark a StorageClass as the default (annotation storageclass.kubernetes.io/is-default-class: "true"), or recreate the claim naming a class.',
      claimMustChange: true,
    };
  }
  if (cls.kind === 'static') {
    if (!event) return null;
    return {
      ...base,
      why: 'it asks for a pre-created PersistentVolume (storageClassName "") and none matches its size, access modes and selector',
      fix: 'Create a matching PersistentVolume, or give the claim a StorageClass.',
    };
  }
  const provisioner = cls.storageClass.provisioner;
  if (event?.reason === 'ProvisioningFailed') {
    return {
      ...base,
      why: `the provisioner ${provisioner} of StorageClass ${cls.name} fails to create its volume (${tail(event.message ?? '')})`,
      fix: 'Fix what the provisioner reports (quota, capacity in the zone, permissions, class parameters); it retries on its own.',
    };
  }
  const waiting = events.filter((e) => e.reason === 'ExternalProvisioning');
  const firstWait = waiting[0];
  const lastWait = waiting.at(-1);
  // Repeats of one event are folded into it (count, firstTimestamp … lastTimestamp).
  const since = firstWait?.firstTimestamp ?? firstWait?.eventTime;
  const silentFor = since && lastWait ? eventTime(lastWait) - new Date(since).getTime() : 0;
  // WaitForFirstConsumer only waits for the pod to be scheduled: not a failure (the scheduler's reason is).
  if (silentFor < SILENT_PROVISIONER_MS) return null;
  return {
    ...base,
    ...(lastWait ? { event: lastWait } : {}),
    why: `no provisioner has acted on it for ${Math.round(silentFor / 60_000)} minutes (StorageClass ${cls.name}, provisioner ${provisioner})`,
    fix: `Check that the CSI driver ${provisioner} is installed and its controller (external-provisioner) is running.`,
  };
}

/**
 * A claim of a class whose provisioner is kubernetes.io/no-provisioner: only PersistentVolumes made beforehand (local
 * volumes) can bind it, and none that is Available fits. With Immediate binding the claim is Pending at once; with
 * WaitForFirstConsumer, only once the scheduler says no node has a volume to bind (`noVolumeToBind`) — a pod
 * Pending for another reason keeps its claim waiting normally. The class's volumes are listed against what the
 * claim asks (size, access modes).
 */
async function noPreparedVolume(
  ctx: PlaybookContext,
  claim: PersistentVolumeClaim,
  className: string,
  storageClass: StorageClass,
  noVolumeToBind: boolean,
): Promise<Failure | null> {
  if (storageClass.volumeBindingMode === 'WaitForFirstConsumer' && !noVolumeToBind) return null;
  const size = claim.spec?.resources?.requests?.storage ?? '?';
  const modes = (claim.spec?.accessModes ?? []).join(', ') || 'no access mode';
  const volumes = (await ctx.read(ctx.reader.listPvs(), [])).filter((pv) => pv.spec?.storageClassName === className);
  const described = volumes.map((pv) => {
    const nodes = volumeNodes(pv);
    const where = nodes.length > 0 ? ` on ${nodes.join(', ')}` : '';
    return `${pv.metadata?.name} ${pv.spec?.capacity?.storage ?? '?'} ${pv.status?.phase ?? '?'}${where}`;
  });
  return {
    claim,
    cls: { kind: 'found', name: className, storageClass, defaulted: false },
    why: `its StorageClass ${className} has provisioner ${NO_PROVISIONER}, which creates nothing: the claim binds only to a PersistentVolume made beforehand, and none Available fits it (${size}, ${modes})${volumes.length > 0 ? `; the class's volumes: ${listNames(described, 5)}` : '; the class has no PersistentVolume at all'}`,
    fix: `Create a PersistentVolume of class ${className} with at least ${size} and ${modes} (a local volume on a node with such a disk, or run a local static provisioner that makes them), or recreate the claim with a class that provisions volumes.`,
  };
}

/** The end of a long provisioner error, where the cloud's own reason is: "…api error VolumeLimitExceeded: …". */
function tail(message: string, max = 180): string {
  const text = message.trim();
  return text.length <= max ? text : `…${text.slice(-max)}`;
}

function classText(cls: ClassOfClaim): string {
  if (cls.kind === 'found') return `StorageClass ${cls.name}${cls.defaulted ? ' (the default)' : ''}`;
  if (cls.kind === 'missing') return `StorageClass ${cls.name}, which does not exist`;
  if (cls.kind === 'none') return 'no StorageClass and no default class';
  return 'storageClassName "" (static binding)';
}

function classesText(classes: StorageClass[]): string {
  if (classes.length === 0) return 'none';
  return classes
    .map(
      (c) =>
        `${c.metadata?.name}${isDefaultClass(c) ? ' (default)' : ''} [${c.provisioner}, ${c.volumeBindingMode ?? 'Immediate'}]`,
    )
    .join(', ');
}

function statefulSetNote(name: string): string {
  return ` StatefulSet ${name} creates its claims from volumeClaimTemplates, which cannot be edited in place: fix the template (recreate the StatefulSet with --cascade=orphan), then delete the Pending claim so it is created again.`;
}
