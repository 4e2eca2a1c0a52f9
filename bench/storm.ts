/**
 * bench:storm — a zone outage. Default: 5,000 alerts in 50 groups arrive within 10 s, most of them with one
 * cause (volume attach failures in one zone), the rest OOM kills and a crash loop: 3 distinct (workload,
 * alertname) pairs. BENCH_MODE=large: 50,000 alerts in 500 groups over 200 workloads (OOM kills and crash
 * loops, each scenario's objects copied into 100 namespaces), within BENCH_ARRIVAL_S (default 10 s).
 * Measures and prints (JSON) every bar of issue 19:
 * - drained: every accepted alert diagnosed and every queue empty (delayed Slack syncs included), in seconds
 *   after the last alert arrived and from the first;
 * - Kubernetes requests (what the sandbox API server served) per distinct (workload, alertname);
 * - first reply per incident: from the first alert of a (group, root cause, workload) to its reply in Slack;
 * - Slack writes per group, counted as posts (≤ 1 + distinct (root cause, workload) pairs), parent edits
 *   (≤ ⌊span / max wait⌋ + 3) and reply edits (≤ pairs × (⌊span / max wait⌋ + 3)): the thread sync's edit passes
 *   (src/slack/sync-scheduler.ts) come on average once per max wait, with two in hand for the settle when the
 *   group goes quiet (the budget in src/store/thread-scripts.ts); the worst group also shows the issue's own
 *   formula, 2 + pairs + parent edits;
 * - alerts lost (202'd but never diagnosed), peak RSS of Medic (run with the image's heap cap).
 * Over 300 lines: a benchmark script that measures every bar of one issue from the outside, read top to bottom.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema } from '../src/config/load.js';
import { DEFAULT_SYNC_TIMING } from '../src/slack/sync-scheduler.js';
import { createDiagnosisStore } from '../src/store/diagnoses.js';
import {
  makeAlert,
  makePayload,
  readScenarioObjects,
  SCENARIOS_DIR,
  type TestAlert,
  type TestPayload,
} from '../test/support/alerts.js';
import { watchQueues } from '../test/support/queues.js';
import { connect } from '../test/support/redis.js';
import { createAlertmanagerSender } from '../test/support/sender.js';
import { sampleMemory } from '../test/support/stats.js';
import { delay, waitFor } from '../test/support/wait.js';
import { benchNodeArgs, startBenchStack } from './compiled.js';
import { copyNamespaced } from './scenarios.js';

const LARGE = process.env.BENCH_MODE === 'large';
const TOTAL = Number(process.env.BENCH_ALERTS ?? (LARGE ? 50_000 : 5000));
const GROUPS = Number(process.env.BENCH_GROUPS ?? (LARGE ? 500 : 50));
const WORKLOADS = LARGE ? 200 : 3;
const ARRIVAL_S = Number(process.env.BENCH_ARRIVAL_S ?? 10);
const PER_PAYLOAD = 10;
/** Medic's longest wait for a thread's non-urgent edits (the bench runs Medic's defaults). */
const MAX_WAIT_S = DEFAULT_SYNC_TIMING.maxWaitMs / 1000;
const LARGE_BARS = { drainedFromFirstS: 60, peakRssMb: 300 };
const STORM_BARS = { drainedAfterLastS: 2, kubeRequestsPerPair: 10, firstReplyS: 5, peakRssMb: 300 };
const BARS = LARGE ? LARGE_BARS : STORM_BARS;

interface Target {
  weight: number;
  labels: Record<string, string>;
}

function scenarioLabels(name: string): Record<string, string> {
  const payload = JSON.parse(readFileSync(join(SCENARIOS_DIR, name, 'alert.json'), 'utf8')) as TestPayload;
  return payload.alerts[0]!.labels;
}

/** What each alert points at, and the objects the sandbox serves. */
function stormSetup(): { targets: Target[]; objects: unknown[] } {
  if (!LARGE) {
    return {
      objects: readScenarioObjects('volume-attach-zone-outage', 'oom-limit', 'crashloop-config-error'),
      // 90 % the zone outage's pods, the rest an OOM kill and a crash loop.
      targets: [
        { weight: 45, labels: { alertname: 'KubePodNotReady', namespace: 'ads', pod: 'ad-index-1' } },
        { weight: 45, labels: { alertname: 'KubePodNotReady', namespace: 'ads', pod: 'ad-index-2' } },
        { weight: 5, labels: scenarioLabels('oom-limit') },
        { weight: 5, labels: scenarioLabels('crashloop-config-error') },
      ],
    };
  }
  const oom = readScenarioObjects('oom-limit');
  const crash = readScenarioObjects('crashloop-config-error');
  const objects: unknown[] = [...oom, ...crash].filter(
    (o) => !(o as { metadata?: { namespace?: string } }).metadata?.namespace,
  );
  const targets: Target[] = [];
  for (let w = 0; w < WORKLOADS; w += 1) {
    const [scenario, from, source] =
      w % 2 === 0 ? ['oom-limit', 'ads', oom] : ['crashloop-config-error', 'prod', crash];
    const suffix = `-${String(w).padStart(3, '0')}`;
    const namespace = `${from}${suffix}`;
    // The scenario's objects in its one namespace (`from`), copied into `namespace`.
    objects.push(...copyNamespaced(source as unknown[], suffix));
    targets.push({ weight: 1, labels: { ...scenarioLabels(scenario as string), namespace } });
  }
  return { targets, objects };
}

function stormPayloads(runId: number, targets: Target[]): TestPayload[][] {
  const groups: TestAlert[][] = Array.from({ length: GROUPS }, () => []);
  const cumulative = targets.map((_, i) => targets.slice(0, i + 1).reduce((s, t) => s + t.weight, 0));
  const totalWeight = cumulative.at(-1)!;
  for (let i = 0; i < TOTAL; i += 1) {
    const slot = LARGE ? i % totalWeight : (i * 37) % totalWeight;
    const target = targets[cumulative.findIndex((c) => slot < c)]!;
    const fingerprint = (runId.toString(16).padStart(8, '0') + i.toString(16).padStart(8, '0')).slice(-16);
    // `replica` makes each alert a distinct label set, as 5,000 distinct alerts in a real storm would be.
    groups[i % GROUPS]!.push(makeAlert(fingerprint, { ...target.labels, replica: String(i) }));
  }
  // One "wave" per second: every group sends its next batch, as Alertmanager flushes groups independently.
  return groups.map((alerts, g) => {
    const payloads: TestPayload[] = [];
    for (let i = 0; i < alerts.length; i += PER_PAYLOAD) {
      const payload = makePayload(`storm-${g}`, alerts.slice(i, i + PER_PAYLOAD));
      payload.groupKey = `{}/{severity="warning"}:{zone="cn-bj2-05", shard="${g}"}`;
      payload.groupLabels = { zone: 'cn-bj2-05', shard: String(g) };
      payload.commonLabels = {};
      payloads.push(payload);
    }
    return payloads;
  });
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

async function main() {
  const { targets, objects } = stormSetup();
  const profileDir = process.env.BENCH_CPU_PROF;
  const { stack, build } = await startBenchStack({ objects, latencyMs: 5 });
  const redis = connect('worker', stack.redis.url);
  const queues = watchQueues(redis, stack.prefix);
  try {
    // BENCH_CONCURRENCY: MEDIC_WORKER_CONCURRENCY for this run (default: Medic's own).
    const concurrency = process.env.BENCH_CONCURRENCY;
    const medic = await stack.startMedic('all', concurrency ? { MEDIC_WORKER_CONCURRENCY: concurrency } : {});
    const memory = sampleMemory(medic.process.pid, 100);
    const sender = createAlertmanagerSender({ url: `${medic.baseUrl}/alertmanager`, giveUpAfterMs: 60_000 });
    const byGroup = stormPayloads(Date.now() & 0xffffff, targets);
    const waves = Math.ceil(TOTAL / GROUPS / PER_PAYLOAD);
    const kubeBefore = stack.sandbox.requests();
    const sentAt = new Map<string, number>();
    const started = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let wave = 0; wave < waves; wave += 1) {
      const wait = started + (wave * ARRIVAL_S * 1000) / waves - Date.now();
      if (wait > 0) await delay(wait);
      for (const payloads of byGroup) {
        const payload = payloads[wave];
        if (!payload) continue;
        const at = Date.now();
        for (const alert of payload.alerts) sentAt.set(alert.fingerprint, at);
        sends.push(sender.send(payload));
      }
    }
    await Promise.all(sends);
    const lastArrived = Date.now();
    const accepted = sender.acceptedFingerprints();

    // Polled cheaply (queue counts, the record index's size); the records are read once, after the drain. A run
    // that does not drain within BENCH_DRAIN_TIMEOUT_S still prints what it got (drained: false, `pendingJobs`).
    const store = createDiagnosisStore({ redis, prefix: stack.prefix });
    // When the last accepted alert had its recorded answer (the rest of the drain is Slack and queue tails).
    let diagnosedAt: number | undefined;
    const drained = await waitFor(
      async () => {
        if (diagnosedAt === undefined && (await redis.zcard(`${stack.prefix}:record-index`)) >= accepted.size) {
          diagnosedAt = Date.now();
        }
        const pending = Object.values(await queues.pending()).reduce((s, n) => s + n, 0);
        if (pending > 0 || diagnosedAt === undefined) return undefined;
        return true;
      },
      {
        timeoutMs: Number(process.env.BENCH_DRAIN_TIMEOUT_S ?? 300) * 1000,
        intervalMs: 50,
        what: 'every accepted alert diagnosed and every queue drained',
      },
    ).then(
      () => true,
      () => false,
    );
    const drainedAt = Date.now();
    const pendingJobs = drained ? undefined : await queues.pending();
    // A run that did not drain says whether Medic was still running, and the end of what it printed (warn and up).
    const stuck = drained
      ? undefined
      : { medicRunning: medic.process.isRunning(), medicOutputTail: medic.process.output().slice(-3000) };
    const { peakRssMb } = memory.stop();
    const kubeAfter = stack.sandbox.requests();
    const kubeRequests = kubeAfter.total - kubeBefore.total;
    const kubeTop = Object.entries(kubeAfter.byRoute)
      .map(([route, n]) => [route, n - (kubeBefore.byRoute[route] ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 40);
    const records = (await store.list()).filter((r) => r.kind === 'diagnosis');

    const recorded = new Set(records.map((r) => r.fingerprint));
    const lost = [...accepted].filter((fp) => !recorded.has(fp));
    const byFingerprint = new Map(records.map((r) => [r.fingerprint, r]));
    const workloadOf = (r: (typeof records)[number]) => {
      const t = r.diagnosis?.target;
      const workload = t?.workload ? `${t.workload.kind}/${t.workload.name}` : `${t?.kind}/${t?.name}`;
      return `${t?.namespace}/${workload}`;
    };
    const pairOf = (r: (typeof records)[number]) => `${r.diagnosis?.rootCause.code}|${workloadOf(r)}`;
    const pairsByGroup = new Map<string, Set<string>>();
    const workloadAlertnames = new Set<string>();
    /** (group, pair) → when its first alert was sent. */
    const firstAlertAt = new Map<string, number>();
    for (const r of records) {
      const set = pairsByGroup.get(r.groupKey) ?? new Set<string>();
      set.add(pairOf(r));
      pairsByGroup.set(r.groupKey, set);
      workloadAlertnames.add(`${workloadOf(r)}|${r.diagnosis?.alert.alertname}`);
      const incident = `${r.groupKey}|${pairOf(r)}`;
      const at = sentAt.get(r.fingerprint) ?? started;
      if (at < (firstAlertAt.get(incident) ?? Number.POSITIVE_INFINITY)) firstAlertAt.set(incident, at);
    }

    // Slack writes per thread: parents are posts without thread_ts; replies and edits map to their parent, and an
    // edit of the parent's own ts is a parent edit.
    const threadOfTs = new Map<string, string>();
    interface ThreadWrites {
      posts: number;
      parentEdits: number;
      replyEdits: number;
      first: number;
      last: number;
      groupKey?: string;
    }
    const writes = new Map<string, ThreadWrites>();
    const countWrite = (thread: string, at: number, kind: 'posts' | 'parentEdits' | 'replyEdits') => {
      const w = writes.get(thread) ?? { posts: 0, parentEdits: 0, replyEdits: 0, first: at, last: at };
      w[kind] += 1;
      w.last = at;
      writes.set(thread, w);
      return w;
    };
    const firstReplyAt = new Map<string, number>();
    let failedCalls = 0;
    for (const call of stack.slackCalls) {
      if (!call.ok) failedCalls += 1;
      if (!call.ok || (call.method !== 'chat.postMessage' && call.method !== 'chat.update')) continue;
      const isEdit = call.method === 'chat.update';
      const thread = isEdit
        ? (threadOfTs.get(call.ts ?? '') ?? call.ts ?? '?')
        : (call.threadTs ?? call.resultTs ?? '?');
      if (call.resultTs) threadOfTs.set(call.resultTs, thread);
      const w = countWrite(thread, call.at, !isEdit ? 'posts' : call.ts === thread ? 'parentEdits' : 'replyEdits');
      const record = call.diagnosis ? byFingerprint.get(call.diagnosis.fingerprint) : undefined;
      if (!record) continue;
      w.groupKey = record.groupKey;
      const incident = `${record.groupKey}|${pairOf(record)}`;
      if (call.method === 'chat.postMessage' && call.threadTs && !firstReplyAt.has(incident)) {
        firstReplyAt.set(incident, call.at);
      }
    }
    const perGroup = [...writes.values()].map((w) => {
      const pairs = w.groupKey ? (pairsByGroup.get(w.groupKey)?.size ?? 0) : 0;
      const spanS = (w.last - w.first) / 1000;
      // Each message at most once per pass: on average one per max wait, with two passes in hand.
      const editsPerMessage = Math.floor(spanS / MAX_WAIT_S) + 3;
      const total = w.posts + w.parentEdits + w.replyEdits;
      const bounds = { posts: 1 + pairs, parentEdits: editsPerMessage, replyEdits: pairs * editsPerMessage };
      const excess = Math.max(
        w.posts - bounds.posts,
        w.parentEdits - bounds.parentEdits,
        w.replyEdits - bounds.replyEdits,
      );
      return {
        writes: total,
        posts: w.posts,
        parentEdits: w.parentEdits,
        replyEdits: w.replyEdits,
        pairs,
        spanS: round(spanS),
        bounds,
        excess,
        issueFormula: { writes: total, bound: 2 + pairs + w.parentEdits },
      };
    });
    const over = perGroup.filter((g) => g.excess > 0);
    const writesPerGroup = perGroup.map((g) => g.writes).sort((a, b) => a - b);
    const replyDelays = [...firstAlertAt].map(([incident, at]) => {
      const reply = firstReplyAt.get(incident);
      return reply === undefined ? Number.POSITIVE_INFINITY : (reply - at) / 1000;
    });
    const unanswered = replyDelays.filter((d) => d === Number.POSITIVE_INFINITY).length;
    const sortedDelays = replyDelays.filter(Number.isFinite).sort((a, b) => a - b);

    const drainedAfterLastS = (drainedAt - lastArrived) / 1000;
    const drainedFromFirstS = (drainedAt - started) / 1000;
    const pairsCount = workloadAlertnames.size;
    const kubePerPair = kubeRequests / Math.max(1, pairsCount);
    const firstReplyMaxS = sortedDelays.at(-1) ?? 0;
    const result = {
      bench: 'storm',
      // Without a drain, the times below are when the benchmark stopped waiting.
      mode: LARGE ? 'large' : 'default',
      medic: build,
      nodeArgs: benchNodeArgs(),
      workerConcurrency: envSchema.shape.MEDIC_WORKER_CONCURRENCY.parse(process.env.BENCH_CONCURRENCY),
      alerts: TOTAL,
      groups: GROUPS,
      webhookCalls: sender.stats().payloads,
      arrivalS: round((lastArrived - started) / 1000),
      accepted: accepted.size,
      diagnosedAfterLastS: diagnosedAt === undefined ? null : round((diagnosedAt - lastArrived) / 1000, 2),
      // When Slack showed the final state: the last successful write, after the last alert arrived.
      lastSlackWriteAfterLastS: round(
        (Math.max(...stack.slackCalls.filter((c) => c.ok).map((c) => c.at)) - lastArrived) / 1000,
        2,
      ),
      senderRetries: sender.stats().retries,
      // Lost only means something once drained; before that they may still be queued.
      ...(drained ? { lost: lost.length } : { notDiagnosedWhenStopped: lost.length }),
      diagnosed: recorded.size,
      drained,
      ...(pendingJobs ? { pendingJobs } : {}),
      ...(stuck ? { stuck } : {}),
      drainedAfterLastS: round(drainedAfterLastS, 2),
      drainedFromFirstS: round(drainedFromFirstS, 2),
      kube: {
        requests: kubeRequests,
        distinctWorkloadAlertnames: pairsCount,
        perWorkloadAlertname: round(kubePerPair),
        top: Object.fromEntries(kubeTop),
      },
      firstReply: {
        incidents: firstAlertAt.size,
        unanswered,
        p50S: round(sortedDelays[Math.floor(sortedDelays.length / 2)] ?? 0, 2),
        maxS: round(firstReplyMaxS, 2),
      },
      threads: writes.size,
      slack: {
        writes: writesPerGroup.reduce((s, n) => s + n, 0),
        writesPerGroup: { min: writesPerGroup[0], max: writesPerGroup.at(-1) },
        distinctPairsPerGroup: { max: Math.max(...perGroup.map((g) => g.pairs)) },
        edits: {
          parent: perGroup.reduce((s, g) => s + g.parentEdits, 0),
          reply: perGroup.reduce((s, g) => s + g.replyEdits, 0),
        },
        groupsOverBound: over.length,
        // Per bound: groups with more posts, parent edits, reply edits than it allows.
        groupsOver: {
          posts: perGroup.filter((g) => g.posts > g.bounds.posts).length,
          parentEdits: perGroup.filter((g) => g.parentEdits > g.bounds.parentEdits).length,
          replyEdits: perGroup.filter((g) => g.replyEdits > g.bounds.replyEdits).length,
        },
        groupsOverIssueFormula: perGroup.filter((g) => g.issueFormula.writes > g.issueFormula.bound).length,
        worstGroup: perGroup.sort((a, b) => b.excess - a.excess || b.writes - a.writes)[0],
        failedCalls,
        // Thread-sync jobs run (BullMQ keeps up to 5,000 completed): posts, debounce re-claims and passes.
        syncJobs: await redis.zcard(`${stack.prefix}:slack:completed`),
      },
      peakRssMb,
      failedJobs: await queues.failed(),
      loadAverage: (await import('node:os')).loadavg().map((n) => round(n, 2)),
      bars: BARS,
      pass:
        drained &&
        lost.length === 0 &&
        over.length === 0 &&
        unanswered === 0 &&
        writes.size === GROUPS &&
        peakRssMb <= BARS.peakRssMb &&
        (LARGE
          ? drainedFromFirstS <= LARGE_BARS.drainedFromFirstS
          : drainedAfterLastS <= STORM_BARS.drainedAfterLastS &&
            kubePerPair <= STORM_BARS.kubeRequestsPerPair &&
            firstReplyMaxS <= STORM_BARS.firstReplyS),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (profileDir) await medic.kill('SIGTERM');
  } finally {
    await queues.close();
    redis.disconnect();
    await stack.close();
  }
}

await main();
