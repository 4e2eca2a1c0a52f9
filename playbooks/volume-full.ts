/**
 * VOLUME_FULL: a PersistentVolume that is full or about to be (kubernetes-mixin KubePersistentVolumeFillingUp /
 * …InodesFillingUp), or a container that crash-loops because the claim it writes is full ("No space left on device"
 * in its last log, on a path of the claim's mount, or the one claim it writes when the path is relative, as
 * PostgreSQL's "pg_wal/…" is: src/diagnosis/full-claims.ts). Offers `resize-pvc` only when the claim's StorageClass
 * allows expansion and no earlier resize of it is still pending (failed, waiting for the pod, or under way:
 * src/diagnosis/volumes.ts pendingResize); otherwise says what to do instead. Log lines of the pods writing to it
 * often tell why it fills (e.g. WAL archiving failing).
 */
import { type CrashOnFullClaim, crashOnFullClaim } from '../src/diagnosis/full-claims.js';
import { isAboutPods, type Playbook, type PlaybookContext, type PlaybookResult } from '../src/diagnosis/playbook.js';
import { eventEvidence, listNames, podName, podNamespace } from '../src/diagnosis/pods.js';
import { namedTarget } from '../src/diagnosis/target.js';
import {
  claimCapacity,
  classOfClaim,
  type PendingResize,
  pendingResize,
  proposeVolumeSize,
} from '../src/diagnosis/volumes.js';
import type { PersistentVolumeClaim, Pod, Workload } from '../src/kube/reader.js';
import { fetchVolumeUsage } from '../src/prometheus/volume.js';
import { formatStorage } from '../src/quantity.js';
import type { Evidence, ProposedAction } from '../src/types.js';

/** kubernetes-mixin, awesome-prometheus-alerts, and custom rules named like them ("PVCAlmostFull", "VolumeUsageHigh"). */
const FILLING =
  /^(KubePersistentVolume(Inodes)?FillingUp|KubernetesVolumeOutOfDiskSpace|KubernetesVolumeFullInFourDays)$|(PersistentVolume|PVC|Volume)\w*(FillingUp|Full|OutOfSpace|DiskSpace|Usage)/i;
/** The free share in kubernetes-mixin descriptions: "is only 2.114% free", "Currently 2.114% is available". */
const FREE = /([\d.]+)%\s+(?:free|is available|of its inodes are free)/i;
const WHY_FULL =
  /No space left on device|archive command failed|failed too many times|could not (write|extend|create)|disk (is )?full|ENOSPC/i;

export const volumeFull: Playbook = {
  name: 'volume-full',
  rootCauses: ['VOLUME_FULL'],
  matches: (event) => FILLING.test(event.alert.labels.alertname ?? '') || namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!target?.found) return null;
    if (!FILLING.test(ctx.event.alert.labels.alertname ?? '')) {
      const crash = isAboutPods(target) ? await crashOnFullClaim(ctx, target.pods) : null;
      return crash ? fullClaim(ctx, crash.pvc, target.pods, target.workload ?? null, crash) : null;
    }
    return target.pvc ? fullClaim(ctx, target.pvc, target.pods, target.workload ?? null, null) : null;
  },
};

/** The diagnosis of a full claim: from a filling-up alert (`crash` null) or from a crash that says it is full. */
async function fullClaim(
  ctx: PlaybookContext,
  pvc: PersistentVolumeClaim,
  pods: Pod[],
  workload: Workload | null,
  crash: CrashOnFullClaim | null,
): Promise<PlaybookResult> {
  const claim = `${pvc.metadata?.namespace}/${pvc.metadata?.name}`;
  const inodes = /Inodes/.test(ctx.event.alert.labels.alertname ?? '');
  const capacity = claimCapacity(pvc);
  const freeText = crash ? undefined : FREE.exec(ctx.event.alert.annotations.description ?? '')?.[1];
  const measured = await measure(ctx, pvc.metadata?.namespace ?? '', pvc.metadata?.name ?? '');
  // Prometheus gives the level now; the alert's figure is from when it fired.
  const measuredFree = inodes ? measured.inodesFree : measured.free;
  const free = measuredFree ?? (freeText === undefined ? null : Number(freeText));
  const used = measured.used ?? (capacity !== null && free !== null && !inodes ? capacity * (1 - free / 100) : null);
  const sizeText = capacity === null ? 'unknown size' : formatStorage(capacity);
  const classes = await ctx.read(ctx.reader.listStorageClasses(), []);
  const cls = classOfClaim(pvc, classes);
  const className = 'name' in cls ? cls.name : '(none)';
  const expandable = cls.kind === 'found' && cls.storageClass.allowVolumeExpansion === true;

  const evidence: Evidence[] = [
    {
      kind: 'status',
      text: `Claim ${claim}: ${sizeText}${pvc.spec?.volumeName ? `, volume ${pvc.spec.volumeName}` : ''}, ${pvc.status?.phase ?? 'unknown phase'}`,
    },
    ...(crash?.evidence ?? []),
    ...measured.evidence,
    {
      kind: 'metric',
      text:
        free === null
          ? crash
            ? `Usage: no figure (the container's log says the volume is full)`
            : `Usage: the alert ${ctx.event.alert.labels.alertname} fired; its text gives no figure`
          : `${inodes ? 'Inodes' : 'Space'}: ${free}% free${used !== null ? ` (about ${formatStorage(used)} of ${sizeText} used)` : ''}, from ${measuredFree !== null ? 'Prometheus (kubelet volume stats)' : 'the alert'}`,
    },
    {
      kind: 'spec',
      text:
        cls.kind === 'found'
          ? `StorageClass ${cls.name} (${cls.storageClass.provisioner})${cls.defaulted ? ', the default class' : ''}: allowVolumeExpansion ${expandable ? 'true' : 'not set'}`
          : cls.kind === 'missing'
            ? `StorageClass ${cls.name} no longer exists`
            : 'No StorageClass: a pre-provisioned volume',
    },
  ];
  evidence.push({
    kind: 'status',
    text:
      pods.length > 0
        ? `Mounted by ${workload ? `${workload.kind} ${workload.name}: ` : ''}${listNames(pods.map(podName))}`
        : 'No pod mounts it right now',
  });
  // A crash-looping writer's current log is empty between restarts: its last words are in the crash evidence.
  if (!crash) evidence.push(...(await whyFull(ctx, pods, pvc.metadata?.name ?? '')));

  const pending = pendingResize(pvc);
  const resize = pending
    ? await resizeSoFar(ctx, pvc.metadata?.namespace ?? '', pvc.metadata?.name ?? '', pending)
    : null;
  if (resize) evidence.push(...resize.evidence);
  const actions: ProposedAction[] = [];
  const size = expandable && capacity !== null && !resize ? proposeVolumeSize(capacity, used, ctx.settings) : null;
  if (size && pvc.status?.phase === 'Bound') {
    actions.push({
      kind: 'resize-pvc',
      title: `Resize ${pvc.metadata?.name} ${sizeText} → ${size}`,
      params: { namespace: pvc.metadata?.namespace, pvc: pvc.metadata?.name, size },
      risk: 'medium',
    });
  } else if (expandable && !resize) {
    evidence.push({
      kind: 'spec',
      text: `No resize proposed: ${sizeText} is already at the bound of medic.yaml volumes (maxSize ${formatStorage(ctx.settings.volumes.maxSize)}, maxGrowthFactor ${ctx.settings.volumes.maxGrowthFactor})`,
    });
  }

  const what = crash
    ? `${crash.container} keeps crashing because the volume of claim ${claim} (${sizeText}, StorageClass ${className}) is full: its last log says "${crash.line}". Restarting it changes nothing until the volume has room.`
    : `The volume of claim ${claim} (${sizeText}, StorageClass ${className}) is ${inodes ? 'running out of inodes' : 'filling up'}${free !== null ? ` (${free}% free)` : ''}.`;
  const fix = resize
    ? ` ${resize.sentence(listNames(pods.map(podName), 3) || 'a pod that mounts it')}`
    : size
      ? ` ${className} allows expansion: resize the claim to ${size} (it grows online and can never shrink back), and find what fills it.`
      : expandable
        ? ' Its class allows expansion, but Medic may not grow it further: free space or raise medic.yaml volumes bounds.'
        : ` ${className === '(none)' ? 'It has no StorageClass' : `StorageClass ${className} does not allow expansion`}, so it cannot be resized in place: free space (old data, logs, retention), or move the data to a claim of an expandable class; a cluster admin can set allowVolumeExpansion: true on the class if its provisioner supports expansion.`;
  const sure = crash ? crash.certain : free !== null;
  return {
    rootCause: { code: 'VOLUME_FULL', summary: what + fix, confidence: sure ? 'high' : 'medium' },
    evidence,
    actions,
    ...(measured.failed ? { partial: true } : {}),
  };
}

/** A resize asked earlier and not finished, as its claim and the resizer's events tell it. */
interface ResizeSoFar {
  evidence: Evidence[];
  /** The summary's advice, given the pods that mount the claim. */
  sentence: (pods: string) => string;
}

/**
 * What became of the resize the claim already asks for: the external resizer's last word (a VolumeResizeFailed
 * warning is a failure even while the claim's condition still says Resizing) decides over the claim's own status.
 */
async function resizeSoFar(
  ctx: PlaybookContext,
  namespace: string,
  name: string,
  pending: PendingResize,
): Promise<ResizeSoFar> {
  const events = await ctx.read(ctx.reader.eventsFor(namespace, 'PersistentVolumeClaim', name), []);
  const last = events.filter((e) => /Resiz/i.test(e.reason ?? '')).at(-1);
  const failure = last?.type === 'Warning' ? (last.message ?? '').trim() : null;
  const to = formatStorage(pending.requested);
  const evidence: Evidence[] = [
    {
      kind: 'status',
      text: `A resize to ${to} was already asked (spec.resources.requests.storage ${to}, above the volume's capacity)${pending.detail ? `; the claim says ${pending.detail}` : ''}: no second resize is proposed`,
    },
  ];
  if (last) evidence.push(eventEvidence(last));
  if (failure !== null || pending.state === 'failed') {
    const why = failure || pending.detail || 'see the claim';
    return {
      evidence,
      sentence: () =>
        `A resize to ${to} was already asked and failed (${why}): asking again changes nothing until that is fixed (a cloud may also refuse another change for hours). Free space meanwhile, and find what fills it.`,
    };
  }
  if (pending.state === 'waiting-for-pod') {
    return {
      evidence,
      sentence: (pods) =>
        `A resize to ${to} was already asked and the volume has grown; its filesystem grows when a pod mounts it again: restart ${pods} at a quiet moment, and find what fills it.`,
    };
  }
  return {
    evidence,
    sentence: () => `A resize to ${to} is already under way: wait for it to finish, and find what fills it.`,
  };
}

interface Measured {
  used: number | null;
  /** Percent free, as the alert descriptions say it. */
  free: number | null;
  inodesFree: number | null;
  evidence: Evidence[];
  failed: boolean;
}

/** The claim's fill level from the kubelet's volume stats, when PROMETHEUS_URL is set. */
async function measure(ctx: PlaybookContext, namespace: string, pvc: string): Promise<Measured> {
  const none: Measured = { used: null, free: null, inodesFree: null, evidence: [], failed: false };
  if (!ctx.prometheusUrl) return none;
  try {
    const u = await fetchVolumeUsage(ctx.prometheusUrl, { namespace, pvc }, { signal: ctx.signal, now: ctx.now });
    const cap = u.capacityBytes;
    const avail = u.availableBytes;
    const round = (share: number) => Math.round(share * 10_000) / 100;
    return {
      used: cap !== null && avail !== null ? cap - avail : null,
      free: cap && avail !== null ? round(avail / cap) : null,
      inodesFree: u.inodesFreeShare === null ? null : round(u.inodesFreeShare),
      evidence: [],
      failed: false,
    };
  } catch (error) {
    ctx.logger.warn({ err: error }, 'Prometheus query failed; diagnosing from the alert alone');
    const text = `Prometheus query failed, usage taken from the alert: ${(error as Error).message}`;
    return { ...none, evidence: [{ kind: 'metric', text }], failed: true };
  }
}

/** Log lines of the containers that mount the claim and say why it fills (at most three). */
async function whyFull(ctx: PlaybookContext, pods: Pod[], claim: string): Promise<Evidence[]> {
  const lines: Evidence[] = [];
  for (const pod of pods.slice(0, 2)) {
    const volume = pod.spec?.volumes?.find((v) => v.persistentVolumeClaim?.claimName === claim)?.name;
    const writers = (pod.spec?.containers ?? []).filter((c) => c.volumeMounts?.some((m) => m.name === volume));
    for (const c of writers) {
      const log = await ctx.read(ctx.reader.logs(podNamespace(pod), podName(pod), c.name, { tailLines: 50 }), null);
      const hits = [...new Set((log ?? '').split('\n').filter((l) => WHY_FULL.test(l)))].slice(-3);
      for (const l of hits) lines.push({ kind: 'log', text: `${podName(pod)}/${c.name}: ${l.trim()}` });
    }
  }
  return lines;
}
