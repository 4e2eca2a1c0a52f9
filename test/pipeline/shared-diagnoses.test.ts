/**
 * Sharing one diagnosis between alerts about the same object (src/pipeline/shared-diagnoses.ts), with an engine
 * that reads the labels a real playbook would: the answer is shared exactly when every field the diagnosis read
 * has the same value, never across another container, pod or reason, and never for /medic diagnose.
 */
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alertmanager/payload.js';
import { createSharedDiagnoses, readsMatch, recordingView } from '../../src/pipeline/shared-diagnoses.js';
import type { Diagnosis, DiagnosisEngine } from '../../src/types.js';

function event(fingerprint: string, labels: Record<string, string>, startsAt = '2026-12-06T10:00:00Z'): AlertEvent {
  return {
    alert: {
      status: 'firing',
      labels: { alertname: 'KubeContainerWaiting', namespace: 'ads', pod: 'api-1', ...labels },
      annotations: { summary: `alert ${fingerprint}` },
      startsAt,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint,
    },
    groupKey: 'g',
    receiver: 'medic',
    externalURL: '',
    groupLabels: {},
    commonLabels: {},
    receivedAt: 0,
  };
}

/** Reads alertname, namespace, pod, container and startsAt, as the pod playbooks do; the cause by container. */
function fakeEngine(
  options: { delayMs?: number; partial?: boolean; fail?: boolean; enumerate?: boolean; reason?: boolean } = {},
) {
  const calls: string[] = [];
  const engine: DiagnosisEngine = {
    async diagnose(e, signal) {
      calls.push(e.alert.fingerprint);
      const { alertname, namespace, pod, container } = e.alert.labels;
      void e.alert.startsAt;
      if (options.enumerate) void Object.keys(e.alert.labels);
      if (options.reason) void e.alert.labels.reason;
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      signal.throwIfAborted();
      if (options.fail) throw new Error('API server unreachable');
      const code = container === 'sidecar' ? 'IMAGE_PULL_FAILURE' : 'OOM_LIMIT';
      return {
        alert: { fingerprint: e.alert.fingerprint, alertname: alertname ?? '', status: e.alert.status },
        playbook: 'fake',
        target: { kind: 'Pod', namespace, name: pod ?? '' },
        rootCause: { code, summary: `${container} in ${pod}`, confidence: 'high' },
        evidence: [],
        actions: [],
        partial: options.partial ?? false,
      } satisfies Diagnosis;
    },
  };
  return { engine, calls };
}

const signal = () => new AbortController().signal;

describe('shared diagnoses', () => {
  it('records the path and value of every field read, and an enumerated object as a whole', () => {
    const { view, reads } = recordingView(event('a', { container: 'app' }));
    void view.alert.labels.container;
    void view.alert.labels.missing;
    void ('reason' in view.alert.labels);
    void Object.keys(view.alert.annotations);
    expect([...reads.keys()].map((k) => k.replaceAll('\u0000', '.'))).toEqual([
      'alert.labels.container',
      'alert.labels.missing',
      'alert.labels.reason',
      'alert.annotations.*',
    ]);
    expect(readsMatch(reads, event('b', { container: 'app' }))).toBe(false); // the annotations differ
  });

  it('diagnoses concurrent alerts about the same object once; each answer carries its own fingerprint', async () => {
    const { engine, calls } = fakeEngine({ delayMs: 50 });
    const shared = createSharedDiagnoses(engine);
    // `replica` is a label no playbook reads: alerts that differ only there are the same question.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        shared.diagnose(event(`fp${i}`, { container: 'app', replica: String(i) }), signal()),
      ),
    );
    expect(calls).toEqual(['fp0']);
    expect(answers.map((d) => d.alert.fingerprint)).toEqual(Array.from({ length: 20 }, (_, i) => `fp${i}`));
    expect(new Set(answers.map((d) => d.rootCause.code))).toEqual(new Set(['OOM_LIMIT']));
  });

  it('never folds another container, pod or alertname into the answer', async () => {
    const { engine, calls } = fakeEngine({ delayMs: 20 });
    const shared = createSharedDiagnoses(engine);
    const [app, sidecar, otherPod, otherAlert] = await Promise.all([
      shared.diagnose(event('app', { container: 'app' }), signal()),
      shared.diagnose(event('sidecar', { container: 'sidecar' }), signal()),
      shared.diagnose(event('pod2', { container: 'app', pod: 'api-2' }), signal()),
      shared.diagnose(event('crash', { container: 'app', alertname: 'KubePodCrashLooping' }), signal()),
    ]);
    expect(calls.sort()).toEqual(['app', 'crash', 'pod2', 'sidecar']);
    expect(app?.rootCause.code).toBe('OOM_LIMIT');
    expect(sidecar?.rootCause.code).toBe('IMAGE_PULL_FAILURE');
    expect(otherPod?.rootCause.summary).toBe('app in api-2');
    expect(otherAlert?.alert.alertname).toBe('KubePodCrashLooping');
  });

  it('an alert that waited for a diagnosis read differently waits for the one that then starts', async () => {
    const { engine, calls } = fakeEngine({ delayMs: 30, reason: true });
    const shared = createSharedDiagnoses(engine);
    const first = shared.diagnose(event('x', { container: 'app', reason: 'CrashLoopBackOff' }), signal());
    const others = Array.from({ length: 5 }, (_, i) =>
      shared.diagnose(event(`y${i}`, { container: 'app', reason: 'ImagePullBackOff' }), signal()),
    );
    await Promise.all([first, ...others]);
    expect(calls).toEqual(['x', 'y0']);
  });

  it('does not wait for a running diagnosis that has already read something else (a hanging cluster)', async () => {
    const calls: string[] = [];
    const engine: DiagnosisEngine = {
      async diagnose(e, signal) {
        calls.push(e.alert.fingerprint);
        const stuck = e.alert.labels.cluster === 'stuck'; // the cluster is read first, as the clusters engine does
        if (stuck) await new Promise((resolve) => setTimeout(resolve, 2000));
        signal.throwIfAborted();
        return (await fakeEngine().engine.diagnose(e, signal)) satisfies Diagnosis;
      },
    };
    const shared = createSharedDiagnoses(engine);
    const hanging = shared.diagnose(event('s', { container: 'app', cluster: 'stuck' }), signal());
    const started = Date.now();
    await shared.diagnose(event('o', { container: 'app', cluster: 'ok' }), signal());
    expect(Date.now() - started).toBeLessThan(500);
    expect(calls).toEqual(['s', 'o']);
    await hanging;
  });

  it('compares startsAt within a minute, and shares only within the window', async () => {
    let now = 1_000_000;
    const { engine, calls } = fakeEngine();
    const shared = createSharedDiagnoses(engine, { windowMs: 15_000, now: () => now });
    await shared.diagnose(event('a', { container: 'app' }, '2026-12-06T10:00:00Z'), signal());
    await shared.diagnose(event('b', { container: 'app' }, '2026-12-06T10:00:45Z'), signal());
    await shared.diagnose(event('c', { container: 'app' }, '2026-12-06T10:02:00Z'), signal());
    expect(calls).toEqual(['a', 'c']);
    now += 15_000;
    await shared.diagnose(event('d', { container: 'app' }, '2026-12-06T10:00:00Z'), signal());
    expect(calls).toEqual(['a', 'c', 'd']);
  });

  it('needs the whole label set equal when the diagnosis enumerated it', async () => {
    const { engine, calls } = fakeEngine({ enumerate: true });
    const shared = createSharedDiagnoses(engine);
    await shared.diagnose(event('a', { container: 'app', replica: '1' }), signal());
    await shared.diagnose(event('b', { container: 'app', replica: '2' }), signal());
    await shared.diagnose(event('c', { container: 'app', replica: '1' }), signal());
    expect(calls).toEqual(['a', 'b']);
  });

  it('gives a partial answer to the alerts that waited for it, but not to later ones', async () => {
    const { engine, calls } = fakeEngine({ delayMs: 30, partial: true });
    const shared = createSharedDiagnoses(engine);
    await Promise.all([
      shared.diagnose(event('a', { container: 'app' }), signal()),
      shared.diagnose(event('b', { container: 'app' }), signal()),
    ]);
    expect(calls).toEqual(['a']);
    await shared.diagnose(event('c', { container: 'app' }), signal());
    expect(calls).toEqual(['a', 'c']);
  });

  it('never shares a failure: each waiter diagnoses on its own', async () => {
    const { engine, calls } = fakeEngine({ delayMs: 20, fail: true });
    const shared = createSharedDiagnoses(engine);
    const results = await Promise.allSettled([
      shared.diagnose(event('a', { container: 'app' }), signal()),
      shared.diagnose(event('b', { container: 'app' }), signal()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toEqual(['a', 'b']);
  });

  it('diagnoses /medic diagnose requests and resolved alerts afresh', async () => {
    const { engine, calls } = fakeEngine();
    const shared = createSharedDiagnoses(engine);
    await shared.diagnose(event('a', { container: 'app' }), signal());
    await shared.diagnose(
      { ...event('b', { container: 'app' }), requestedBy: { userId: 'U1', channel: 'C1' } },
      signal(),
    );
    expect(calls).toEqual(['a', 'b']);
  });

  it('stops waiting when its own job is aborted', async () => {
    const { engine } = fakeEngine({ delayMs: 200 });
    const shared = createSharedDiagnoses(engine);
    const leader = shared.diagnose(event('a', { container: 'app' }), signal());
    const abort = new AbortController();
    const follower = shared.diagnose(event('b', { container: 'app' }), abort.signal);
    abort.abort(new Error('shutting down'));
    await expect(follower).rejects.toThrow('shutting down');
    await expect(leader).resolves.toMatchObject({ alert: { fingerprint: 'a' } });
  });

  it('adds one abort listener however long it waits', async () => {
    const { engine } = fakeEngine({ delayMs: 1200 });
    const shared = createSharedDiagnoses(engine);
    const leader = shared.diagnose(event('a', { container: 'app' }), signal());
    const abort = new AbortController();
    let listeners = 0;
    const add = abort.signal.addEventListener.bind(abort.signal);
    abort.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      if (args[0] === 'abort') listeners += 1;
      return add(...args);
    }) as typeof add;
    // Re-checks the running diagnosis every 100 ms for 1.2 s.
    await shared.diagnose(event('b', { container: 'app' }), abort.signal);
    await leader;
    expect(listeners).toBe(1);
  });

  it('keeps at most maxEntries answers', async () => {
    const { engine, calls } = fakeEngine();
    const shared = createSharedDiagnoses(engine, { maxEntries: 3 });
    for (let i = 0; i < 6; i += 1) await shared.diagnose(event(`p${i}`, { pod: `api-${i}` }), signal());
    await shared.diagnose(event('again', { pod: 'api-0' }), signal());
    expect(calls).toContain('again');
    await shared.diagnose(event('again2', { pod: 'api-5' }), signal());
    expect(calls).not.toContain('again2');
  });
});
