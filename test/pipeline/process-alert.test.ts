import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alertmanager/payload.js';
import { parseSettings } from '../../src/config/load.js';
import type { Incidents } from '../../src/incidents/incident.js';
import { createIncidentServices } from '../../src/incidents/services.js';
import { createFallbackEngine } from '../../src/pipeline/fallback-engine.js';
import { processAlertEvent } from '../../src/pipeline/process-alert.js';
import { createDiagnosisStore, type DiagnosisStore } from '../../src/store/diagnoses.js';
import type { Redis } from '../../src/store/redis.js';
import type { Diagnosis, DiagnosisEngine } from '../../src/types.js';
import { wireIncidents } from '../../src/wiring.js';
import { connect, deleteKeysUnder, silentLogger, uniquePrefix } from '../support/redis.js';
import { RecordingNotifier } from './recording-notifier.js';

function alertEvent(status: 'firing' | 'resolved' = 'firing'): AlertEvent {
  return {
    alert: {
      status,
      labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', pod: 'cart-5d8f-abc12', container: 'cart' },
      annotations: { summary: 'Pod shop/cart-5d8f-abc12 is crash looping.' },
      startsAt: '2026-11-20T03:12:41.234Z',
      endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-20T04:00:00Z',
      generatorURL: '',
      fingerprint: '1f2e3d4c5b6a7980',
    },
    groupKey: '{}:{namespace="shop"}',
    receiver: 'medic',
    externalURL: '',
    groupLabels: { namespace: 'shop' },
    commonLabels: {},
    receivedAt: Date.now(),
  };
}

/** Counts calls to a real engine (the fallback) so tests can prove it ran once. */
function countingEngine(): DiagnosisEngine & { runs: number } {
  const inner = createFallbackEngine();
  const engine = {
    runs: 0,
    async diagnose(event: AlertEvent, signal: AbortSignal): Promise<Diagnosis> {
      engine.runs += 1;
      return inner.diagnose(event, signal);
    },
  };
  return engine;
}

describe('processAlertEvent', () => {
  let prefix: string;
  let redis: Redis;
  let store: DiagnosisStore;
  let notifier: RecordingNotifier;
  let incidents: Incidents;
  const signal = new AbortController().signal;

  beforeEach(() => {
    prefix = uniquePrefix('pipeline');
    redis = connect('store');
    store = createDiagnosisStore({ redis, prefix });
    notifier = new RecordingNotifier();
    const services = createIncidentServices({
      redis,
      prefix,
      settings: parseSettings('{}', 'medic.yaml'),
      remediation: {
        prepare: async () => ({ ok: false, reason: 'no cluster in this test' }),
        execute: async () => Promise.reject(new Error('no cluster in this test')),
      },
      logger: silentLogger,
    });
    incidents = wireIncidents({ redis, prefix, services, view: notifier });
  });
  afterEach(async () => {
    redis.disconnect();
    await deleteKeysUnder(prefix);
  });

  it('diagnoses a firing alert as UNKNOWN with the fallback engine, records it and notifies', async () => {
    const outcome = await processAlertEvent(alertEvent(), {
      engine: createFallbackEngine(),
      incidents,
      store,
      logger: silentLogger,
      signal,
    });
    expect(outcome).toMatchObject({ kind: 'diagnosed', reused: false });
    const [call] = notifier.calls;
    expect(call?.type).toBe('firing');
    const diagnosis = call?.type === 'firing' ? call.diagnosis : null;
    expect(diagnosis).toMatchObject({
      alert: { fingerprint: '1f2e3d4c5b6a7980', alertname: 'KubePodCrashLooping', status: 'firing' },
      rootCause: { code: 'UNKNOWN', confidence: 'low' },
      target: { kind: 'Pod', namespace: 'shop', name: 'cart-5d8f-abc12' },
      actions: [],
    });
    expect(diagnosis?.evidence.map((e) => e.text).join(' ')).toContain('crash looping');
    const records = await store.list();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'diagnosis', fingerprint: '1f2e3d4c5b6a7980' });
  });

  it('reuses the recorded diagnosis when the job is retried, notifying again without diagnosing again', async () => {
    const engine = countingEngine();
    const deps = { engine, incidents, store, logger: silentLogger, signal };
    await processAlertEvent(alertEvent(), deps);
    const second = await processAlertEvent(alertEvent(), deps);
    expect(second).toMatchObject({ kind: 'diagnosed', reused: true });
    expect(engine.runs).toBe(1);
    expect(notifier.calls.map((c) => c.type)).toEqual(['firing', 'firing']);
    expect(await store.list({ fingerprint: '1f2e3d4c5b6a7980' })).toHaveLength(1);
  });

  it("a job's first start does not look its record up (nothing can be recorded yet); if one exists anyway, it still wins", async () => {
    const engine = countingEngine();
    let lookups = 0;
    const counted: DiagnosisStore = {
      ...store,
      findDiagnosis: (event) => {
        lookups += 1;
        return store.findDiagnosis(event);
      },
    };
    const deps = { engine, incidents, store: counted, logger: silentLogger, signal };
    const first = await processAlertEvent(alertEvent(), { ...deps, firstStart: true });
    expect(first).toMatchObject({ kind: 'diagnosed', reused: false });
    expect(lookups).toBe(0);
    // The same episode's job queued again after its job was removed: a first start again, with a record.
    const recorded = first.kind === 'diagnosed' ? first.diagnosis : null;
    const again = await processAlertEvent(alertEvent(), { ...deps, firstStart: true });
    expect(lookups).toBe(0);
    expect(engine.runs).toBe(2);
    expect(again).toMatchObject({ kind: 'diagnosed', reused: true, diagnosis: recorded });
    expect(await store.list({ fingerprint: '1f2e3d4c5b6a7980' })).toHaveLength(1);
    // A retry (or a run after a stalled worker) looks it up and does not diagnose again.
    await processAlertEvent(alertEvent(), { ...deps, firstStart: false });
    expect(lookups).toBe(1);
    expect(engine.runs).toBe(2);
  });

  it('records a resolve without diagnosing it', async () => {
    const engine = countingEngine();
    const outcome = await processAlertEvent(alertEvent('resolved'), {
      engine,
      incidents,
      store,
      logger: silentLogger,
      signal,
    });
    expect(outcome).toEqual({ kind: 'resolved', firstResolve: true });
    expect(engine.runs).toBe(0);
    expect(notifier.calls.map((c) => c.type)).toEqual(['resolved']);
    expect((await store.list()).map((r) => r.kind)).toEqual(['resolve']);
  });

  it('records nothing when the engine fails, so the retry diagnoses afresh', async () => {
    const failing: DiagnosisEngine = {
      diagnose: async () => {
        throw new Error('cluster unreachable');
      },
    };
    await expect(
      processAlertEvent(alertEvent(), { engine: failing, incidents, store, logger: silentLogger, signal }),
    ).rejects.toThrow('cluster unreachable');
    expect(await store.list()).toEqual([]);
    expect(notifier.calls).toEqual([]);
  });

  it('keeps the first diagnosis when two workers record the same alert episode', async () => {
    const event = alertEvent();
    const first = createFallbackEngine();
    const a = await store.recordDiagnosis(event, await first.diagnose(event, signal));
    const changed = { ...a.record.diagnosis!, playbook: 'other' };
    const b = await store.recordDiagnosis(event, changed);
    expect([a.created, b.created]).toEqual([true, false]);
    expect(b.record.diagnosis?.playbook).toBe('fallback');
  });
});
