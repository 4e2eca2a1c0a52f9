/**
 * bench:storm — a zone outage: 5,000 alerts in 50 groups arrive within 10 s, most of them with one cause
 * (volume attach failures in one zone), the rest OOM kills and a crash loop. Measures: alerts lost (202'd
 * but never diagnosed), Slack writes per group against the bound 2 + distinct (root cause, workload) pairs +
 * coalesced parent updates (≤ 1 per 5 s per group), time to drain, peak RSS. Prints JSON.
 * Bars: drained ≤ 60 s, peak RSS ≤ 300 MB, zero lost, no group over its bound.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

const TOTAL = Number(process.env.BENCH_ALERTS ?? 5000);
const GROUPS = 50;
const ARRIVAL_S = 10;
const PER_PAYLOAD = 10;
const SYNC_INTERVAL_S = 5;
const BARS = { drainedS: 60, peakRssMb: 300 };

/** What each alert points at: 90 % the zone outage's pods, the rest an OOM kill and a crash loop. */
const TARGETS: { weight: number; labels: Record<string, string> }[] = [
  { weight: 45, labels: { alertname: 'KubePodNotReady', namespace: 'ads', pod: 'ad-index-1' } },
  { weight: 45, labels: { alertname: 'KubePodNotReady', namespace: 'ads', pod: 'ad-index-2' } },
  { weight: 5, labels: scenarioLabels('oom-limit') },
  { weight: 5, labels: scenarioLabels('crashloop-config-error') },
];

function scenarioLabels(name: string): Record<string, string> {
  const payload = JSON.parse(readFileSync(join(SCENARIOS_DIR, name, 'alert.json'), 'utf8')) as TestPayload;
  return payload.alerts[0]!.labels;
}

function stormPayloads(runId: number): TestPayload[][] {
  const groups: TestAlert[][] = Array.from({ length: GROUPS }, () => []);
  const cumulative = TARGETS.map((_, i) => TARGETS.slice(0, i + 1).reduce((s, t) => s + t.weight, 0));
  for (let i = 0; i < TOTAL; i += 1) {
    const slot = (i * 37) % 100;
    const target = TARGETS[cumulative.findIndex((c) => slot < c)]!;
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

async function main() {
  const objects = readScenarioObjects('volume-attach-zone-outage', 'oom-limit', 'crashloop-config-error');
  const profileDir = process.env.BENCH_CPU_PROF;
  const { stack, build } = await startBenchStack({ objects, latencyMs: 5 });
  const redis = connect('worker', stack.redis.url);
  const queues = watchQueues(redis, stack.prefix);
  try {
    const medic = await stack.startMedic('all');
    const memory = sampleMemory(medic.process.pid, 100);
    const sender = createAlertmanagerSender({ url: `${medic.baseUrl}/alertmanager`, giveUpAfterMs: 60_000 });
    const byGroup = stormPayloads(Date.now() & 0xffffff);
    const waves = Math.ceil(TOTAL / GROUPS / PER_PAYLOAD);
    const started = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let wave = 0; wave < waves; wave += 1) {
      const wait = started + (wave * ARRIVAL_S * 1000) / waves - Date.now();
      if (wait > 0) await delay(wait);
      for (const payloads of byGroup) if (payloads[wave]) sends.push(sender.send(payloads[wave]!));
    }
    await Promise.all(sends);
    const arrivalS = (Date.now() - started) / 1000;
    const accepted = sender.acceptedFingerprints();

    const store = createDiagnosisStore({ redis, prefix: stack.prefix });
    const records = await waitFor(
      async () => {
        const list = (await store.list()).filter((r) => r.kind === 'diagnosis');
        if (list.length < accepted.size) return undefined;
        const pending = Object.values(await queues.pending()).reduce((s, n) => s + n, 0);
        return pending === 0 ? list : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 250, what: 'every accepted alert diagnosed and every queue drained' },
    );
    const drainedS = (Date.now() - started) / 1000;
    const { peakRssMb } = memory.stop();

    const recorded = new Set(records.map((r) => r.fingerprint));
    const lost = [...accepted].filter((fp) => !recorded.has(fp));
    const groupOf = new Map(records.map((r) => [r.fingerprint, r.groupKey]));
    const pairsByGroup = new Map<string, Set<string>>();
    for (const r of records) {
      const t = r.diagnosis?.target;
      const workload = t?.workload ? `${t.workload.kind}/${t.workload.name}` : `${t?.kind}/${t?.name}`;
      const set = pairsByGroup.get(r.groupKey) ?? new Set<string>();
      set.add(`${r.diagnosis?.rootCause.code}|${t?.namespace}/${workload}`);
      pairsByGroup.set(r.groupKey, set);
    }

    // Slack writes per thread: parents are posts without thread_ts; replies and updates map to their parent.
    const threadOfTs = new Map<string, string>();
    const writes = new Map<string, { count: number; first: number; last: number; groupKey?: string }>();
    const countWrite = (thread: string, at: number) => {
      const w = writes.get(thread) ?? { count: 0, first: at, last: at };
      w.count += 1;
      w.last = at;
      writes.set(thread, w);
      return w;
    };
    let failedCalls = 0;
    for (const call of stack.slackCalls) {
      if (!call.ok) failedCalls += 1;
      if (!call.ok || (call.method !== 'chat.postMessage' && call.method !== 'chat.update')) continue;
      const thread =
        call.method === 'chat.update'
          ? (threadOfTs.get(call.ts ?? '') ?? call.ts ?? '?')
          : (call.threadTs ?? call.resultTs ?? '?');
      if (call.resultTs) threadOfTs.set(call.resultTs, thread);
      const w = countWrite(thread, call.at);
      if (call.diagnosis) w.groupKey = groupOf.get(call.diagnosis.fingerprint);
    }
    const perGroup = [...writes.values()].map((w) => {
      const pairs = w.groupKey ? (pairsByGroup.get(w.groupKey)?.size ?? 0) : 0;
      const spanS = (w.last - w.first) / 1000;
      const bound = 2 + pairs + Math.ceil(spanS / SYNC_INTERVAL_S);
      return { writes: w.count, pairs, spanS: Number(spanS.toFixed(1)), bound };
    });
    const over = perGroup.filter((g) => g.writes > g.bound);
    const writesPerGroup = perGroup.map((g) => g.writes).sort((a, b) => a - b);

    const result = {
      bench: 'storm',
      medic: build,
      nodeArgs: benchNodeArgs(),
      alerts: TOTAL,
      groups: GROUPS,
      webhookCalls: sender.stats().payloads,
      arrivalS: Number(arrivalS.toFixed(1)),
      accepted: accepted.size,
      senderRetries: sender.stats().retries,
      lost: lost.length,
      diagnosed: recorded.size,
      threads: writes.size,
      slack: {
        writes: writesPerGroup.reduce((s, n) => s + n, 0),
        writesPerGroup: { min: writesPerGroup[0], max: writesPerGroup.at(-1) },
        distinctPairsPerGroup: { max: Math.max(...perGroup.map((g) => g.pairs)) },
        groupsOverBound: over.length,
        worstGroup: perGroup.sort((a, b) => b.writes - b.bound - (a.writes - a.bound))[0],
        failedCalls,
      },
      drainedS: Number(drainedS.toFixed(1)),
      peakRssMb,
      failedJobs: await queues.failed(),
      bars: BARS,
      pass:
        lost.length === 0 &&
        over.length === 0 &&
        writes.size === GROUPS &&
        drainedS <= BARS.drainedS &&
        peakRssMb <= BARS.peakRssMb,
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
