/**
 * PROBE_FAILURE: the kubelet restarts a container because its liveness (or startup) probe fails — `Killing` "failed
 * liveness probe, will be restarted", exit 137/143 with reason Error, which is not an OOM kill — or a failing
 * readiness probe keeps running pods out of the Service. A container killed by its memory limit is OOM_LIMIT (runs
 * first); one that exits on its own with no probe kill stays CRASHLOOP_APP_ERROR (runs after). For a failing
 * readiness probe, the current log's crash readings say what a dependency answers (rejected credentials, …).
 */

import { bgpPeering } from '../src/diagnosis/calico.js';
import { crashReadings } from '../src/diagnosis/crash-readings.js';
import { loopbackListenLine, loopbackWords, probePort } from '../src/diagnosis/listen-address.js';
import { runningReadings } from '../src/diagnosis/log-finding.js';
import { logEvidence, logLines, tellingLogLines } from '../src/diagnosis/logs.js';
import { isAboutPods, type Playbook, type PlaybookContext } from '../src/diagnosis/playbook.js';
import {
  type ContainerView,
  containersOf,
  eventEvidence,
  listNames,
  ofNamedContainer,
  oomTermination,
  podName,
  sentence,
} from '../src/diagnosis/pods.js';
import {
  answeredUnhealthy,
  describeProbe,
  failureMeaning,
  misaimedProbe,
  type ProbeType,
  probeAction,
  probeKills,
  probeOf,
  probeTimings,
  secondsBeforeKill,
  unhealthyEvents,
} from '../src/diagnosis/probes.js';
import { replaceLonePod, revisionSentence, rollbackIfNewRevision } from '../src/diagnosis/rollout.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { Container, KubeEvent } from '../src/kube/reader.js';
import { eventTime } from '../src/kube/reader.js';
import { formatCpu, parseCpuMillis } from '../src/quantity.js';
import type { Evidence, ProposedAction } from '../src/types.js';

const MAX_PODS_READ = 8;
/** A kill this long after the run ended is not what ended it. */
const KILL_SLACK_MS = 60_000;

interface Finding {
  view: ContainerView;
  type: ProbeType;
  failures: KubeEvent[];
  kills: KubeEvent[];
  /** A readiness probe only ever refused: no verdict unless the app listens where the kubelet cannot reach it. */
  refusedOnly?: boolean;
  /** The log line saying the app listens on loopback only, once read. */
  loopback?: { line: string; port: number } | null;
}

export const probeFailure: Playbook = {
  name: 'probe-failure',
  rootCauses: ['PROBE_FAILURE'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!isAboutPods(target)) return null;
    // A pod alert looks at the workload's other pods too: a probe that fails on every replica is one story.
    const siblings =
      target.kind === 'Pod' && target.workload ? await ctx.read(ctx.reader.podsOf(target.workload), []) : [];
    const pods = [...target.pods, ...siblings.filter((p) => !target.pods.some((t) => podName(t) === podName(p)))];
    const candidates = pods
      .flatMap((pod) => containersOf(pod))
      .filter((v) => (!v.isInit || v.isNativeSidecar) && !oomTermination(v.status))
      .filter((v) => (v.status.restartCount ?? 0) > 0 || !v.status.ready);
    const findings: Finding[] = [];
    const eventsByPod = new Map<string, KubeEvent[]>();
    for (const v of candidates) {
      const name = podName(v.pod);
      if (!eventsByPod.has(name)) {
        if (eventsByPod.size >= MAX_PODS_READ) continue;
        eventsByPod.set(name, await ctx.read(ctx.reader.eventsFor(v.pod.metadata?.namespace, 'Pod', name), []));
      }
      const finding = classify(v, eventsByPod.get(name) ?? []);
      if (finding) findings.push(finding);
    }
    // Only the alert's own pods decide; the siblings' findings add weight to the story. A readiness probe that is
    // only refused counts when the app's log says it listens on loopback (its own pods only: one log read each).
    const isOwn = (f: Finding) => target.pods.some((p) => podName(p) === podName(f.view.pod));
    const verdicts: Finding[] = [];
    for (const f of findings) {
      if (f.refusedOnly && isOwn(f)) f.loopback = await loopbackLine(ctx, f);
      if (!f.refusedOnly || f.loopback) verdicts.push(f);
    }
    findings.splice(0, findings.length, ...verdicts);
    const own = findings.filter(isOwn);
    const ownKilled = own.filter((f) => f.type !== 'readiness');
    const pick = ofNamedContainer(ownKilled.length > 0 ? ownKilled : own, target.container, (f) => f.view.status.name);
    const focus = pick[0];
    if (!focus) return null;
    const isKill = (f: Finding) => f.type !== 'readiness';
    const same = findings.filter((f) => f.view.status.name === focus.view.status.name && isKill(f) === isKill(focus));
    return describe(ctx, focus, same);
  },
};

/** A liveness/startup kill that ended the container's last run, or a readiness probe keeping it out of rotation. */
function classify(v: ContainerView, events: KubeEvent[]): Finding | null {
  const name = v.status.name;
  const kills = probeKills(events, name);
  const last = v.status.lastState?.terminated ?? v.status.state?.terminated;
  if (kills.length > 0 && last && last.reason !== 'OOMKilled') {
    const killedAt = Math.max(...kills.map(eventTime));
    const ended = last.finishedAt ? new Date(last.finishedAt).getTime() : 0;
    const started = last.startedAt ? new Date(last.startedAt).getTime() : 0;
    const byKubelet = last.exitCode === 137 || last.exitCode === 143;
    const duringLastRun = ended > 0 && killedAt >= started && killedAt <= ended + KILL_SLACK_MS;
    if (byKubelet || duringLastRun) {
      const type = kills.some((k) => /startup probe/.test(k.message ?? '')) ? 'startup' : 'liveness';
      return { view: v, type, kills, failures: unhealthyEvents(events, type, name) };
    }
  }
  // Readiness: running, not ready, not restarting on its own (that is a crash loop).
  if (v.status.state?.running && !v.status.ready && (v.status.restartCount ?? 0) < 3) {
    // A refused connection means the app does not listen yet (starting, or a rollout in progress): that is no
    // readiness verdict. An endpoint that answers 5xx or times out is the probe keeping a live app out.
    const all = unhealthyEvents(events, 'readiness', name);
    const failures = all.filter((e) => !/connection refused/.test(e.message ?? ''));
    if (failures.length > 0) return { view: v, type: 'readiness', kills: [], failures };
    if (all.length > 0) return { view: v, type: 'readiness', kills: [], failures: all, refusedOnly: true };
  }
  return null;
}

async function describe(ctx: PlaybookContext, focus: Finding, same: Finding[]) {
  const { view, type } = focus;
  const name = view.status.name;
  const workload = ctx.target?.workload ?? (await ctx.read(ctx.reader.workloadOf(view.pod), null));
  // A trimmed pod listing may lack the probe; the workload's template is where it is defined anyway.
  const template = (
    workload?.object.spec as { template?: { spec?: { containers?: Container[] } } } | undefined
  )?.template?.spec?.containers?.find((c) => c.name === name);
  const probe = probeOf(view.spec, type) ?? probeOf(template, type);
  const last = view.status.lastState?.terminated ?? view.status.state?.terminated;
  const lastFailure = focus.failures.at(-1);
  const meaning = failureMeaning(lastFailure?.message ?? '', probe);
  const pods = same.map((f) => `${podName(f.view.pod)} (${f.view.status.restartCount ?? 0} restarts)`);
  const evidence: Evidence[] = [
    {
      kind: 'status',
      text:
        type === 'readiness'
          ? `Container ${name} is running but not ready in ${listNames(pods, 5)}: its readiness probe fails, so the Service sends it no traffic`
          : `Container ${name} restarted by the kubelet after failing its ${type} probe in ${listNames(pods, 5)}; last exit code ${last?.exitCode ?? '?'} (reason ${last?.reason ?? 'none'}) is the kubelet's kill${last?.exitCode === 137 ? ' (SIGKILL after the grace period), not an OOM kill' : ''}${view.status.state?.waiting?.reason ? `; now ${view.status.state.waiting.reason}` : ''}`,
    },
    {
      kind: 'spec',
      text: probe ? `${type} probe of ${name}: ${describeProbe(probe)}` : `${name} has no ${type} probe in its spec`,
    },
  ];
  if (lastFailure) evidence.push(eventEvidence(lastFailure));
  const kill = focus.kills.at(-1);
  if (kill) evidence.push(eventEvidence(kill));
  // An app listening on loopback only refuses the kubelet from the first try, however long it is given.
  const loopback = focus.loopback ?? (await loopbackLine(ctx, focus, template));
  if (loopback) evidence.push({ kind: 'log', text: `${name} log: ${loopback.line}` });
  // A probe aimed at a port or path the app does not serve fails from the first try: no slow start to wait out.
  const misaimed = probe && !loopback ? misaimedProbe(probe, view.spec ?? template, lastFailure?.message ?? '') : null;
  const slowStart =
    probe && type !== 'readiness' && !misaimed && !loopback
      ? slowStartNote(view, probe, lastFailure?.message ?? '')
      : null;
  if (slowStart) evidence.push({ kind: 'spec', text: slowStart });
  if (/deadline exceeded|timeout/i.test(lastFailure?.message ?? '')) evidence.push(...(await cpuEvidence(ctx, same)));
  if (type !== 'readiness') evidence.push(...(await logEvidence(ctx, view)));
  // A running container failing its readiness probe: what its current log says its dependencies answer (the crash
  // readings: credentials, a refused service account, a certificate, a connection a policy drops, …).
  const bgp = type === 'readiness' ? await bgpPeering(ctx, lastFailure?.message, view) : null;
  if (bgp) evidence.push(...bgp.evidence);
  const readings =
    type === 'readiness' && !bgp && view.status.state?.running ? await runningReadings(ctx, view, evidence) : null;
  const readiness = bgp ? ` ${sentence(bgp.words)}` : readings ? readings.sentences.map((x) => ` ${x}`).join('') : null;
  // A killed instance's last words read as a crash's (the same log read as the evidence above): a dependency that
  // refuses, a full heap, …
  const killed = type !== 'readiness' ? await crashReadings(ctx, view, await tellingLogLines(ctx, view)) : null;
  if (killed) evidence.push(...killed.evidence);
  const killedWords = killed?.sentences.map((x) => ` ${x}`).join('') ?? '';

  const rollback = await rollbackIfNewRevision(
    ctx,
    workload,
    same.map((f) => f.view.pod),
  );
  evidence.push(...rollback.evidence);
  const actions: ProposedAction[] = rollback.action ? [rollback.action] : [];
  if (!rollback.action && type !== 'readiness') {
    const replace = await replaceLonePod(
      ctx,
      workload,
      same.map((f) => f.view.pod),
      view.pod.metadata?.namespace ?? 'default',
    );
    evidence.push(...replace.evidence);
    if (replace.action) actions.push(replace.action);
  }
  const probeText = probe ? ` (${probeAction(probe)})` : '';
  const fix = loopback
    ? ` ${sentence(loopbackWords(name, loopback.line, loopback.port))}`
    : misaimed
      ? ` ${misaimed}.`
      : slowStart
        ? ' The app starts slower than the probe allows: add a startupProbe or raise initialDelaySeconds.'
        : type === 'readiness'
          ? (readiness ?? ' Check what the readiness endpoint depends on.')
          : ` Raising memory would not help: this exit ${last?.exitCode ?? ''} is the probe kill.${answeredUnhealthy(lastFailure?.message, same.length) ?? ' Fix what makes the endpoint slow or failing, or loosen timeoutSeconds/failureThreshold.'}${killedWords}`;
  const summary =
    type === 'readiness'
      ? `The readiness probe${probeText} of ${name} fails in ${same.length} pod(s): ${meaning}, so they are kept out of the Service.${fix}`
      : `Container ${name} is restarted by its ${type} probe${probeText} in ${same.length} pod(s): ${meaning}.${fix}${revisionSentence(rollback)}`;
  return {
    rootCause: {
      code: 'PROBE_FAILURE' as const,
      summary,
      confidence: lastFailure ? ('high' as const) : ('medium' as const),
    },
    evidence,
    actions,
  };
}

/**
 * The log line saying the probed app listens on loopback only, when the probe's connection is refused: from the log
 * of the instance the probe judged (the killed one for liveness and startup, the running one for readiness).
 */
async function loopbackLine(
  ctx: PlaybookContext,
  finding: Finding,
  template?: Container,
): Promise<{ line: string; port: number } | null> {
  const { view, type } = finding;
  if (!finding.failures.some((e) => /connection refused/.test(e.message ?? ''))) return null;
  const port = probePort(probeOf(view.spec, type) ?? probeOf(template, type), view.spec ?? template);
  if (port === null) return null;
  const lines = await logLines(ctx, view, { current: type === 'readiness' });
  const line = loopbackListenLine(lines, port);
  return line ? { line, port } : null;
}

/**
 * A container killed before it ever listens: each run lasts about the time the probe allows (initial delay plus
 * failureThreshold × period) and the probe is refused, so the app is still starting when it is killed.
 */
function slowStartNote(
  view: ContainerView,
  probe: NonNullable<ReturnType<typeof probeOf>>,
  message: string,
): string | null {
  const last = view.status.lastState?.terminated;
  if (!last?.startedAt || !last.finishedAt || !/connection refused|no such file|not ready|starting/i.test(message))
    return null;
  const ran = (new Date(last.finishedAt).getTime() - new Date(last.startedAt).getTime()) / 1000;
  const allowed = secondsBeforeKill(probe);
  const grace = view.pod.spec?.terminationGracePeriodSeconds ?? 30;
  if (ran > allowed + grace + probeTimings(probe).periodSeconds) return null;
  const t = probeTimings(probe);
  return `Its last run lasted ${Math.round(ran)}s: the probe gives a new container initialDelaySeconds ${t.initialDelaySeconds} + failureThreshold ${t.failureThreshold} × periodSeconds ${t.periodSeconds} = ${allowed}s before the kill, and the probe was refused, so the app is killed while it is still starting`;
}

/** CPU usage vs limit of the probed container: a throttled container answers its probe late. */
async function cpuEvidence(ctx: PlaybookContext, findings: Finding[]): Promise<Evidence[]> {
  for (const f of findings.slice(0, 3)) {
    const usage = await ctx.read(
      ctx.reader.podMetrics(f.view.pod.metadata?.namespace ?? 'default', podName(f.view.pod)),
      null,
    );
    const used = parseCpuMillis(usage?.find((u) => u.name === f.view.status.name)?.cpu);
    if (used === null) continue;
    const limit = parseCpuMillis(f.view.spec?.resources?.limits?.cpu);
    if (limit === null)
      return [
        {
          kind: 'metric',
          text: `${f.view.status.name} uses ${formatCpu(used)} CPU and has no CPU limit: it is not throttled`,
        },
      ];
    const pct = Math.round((used / limit) * 100);
    const verdict =
      pct >= 90
        ? 'at its limit: CPU throttling likely delays the probe answers'
        : 'well under its limit: not CPU-throttled, the slowness is elsewhere';
    return [
      {
        kind: 'metric',
        text: `${f.view.status.name} in ${podName(f.view.pod)} uses ${formatCpu(used)} CPU of its ${formatCpu(limit)} limit (${pct}%), ${verdict}`,
      },
    ];
  }
  return [];
}
