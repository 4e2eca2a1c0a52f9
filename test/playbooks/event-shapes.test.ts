/**
 * Events in both shapes the API serves (src/kube/reader.ts eventTime): the legacy recorder's (firstTimestamp,
 * lastTimestamp, count) and the events.k8s.io recorder's, as `kubectl get events -o yaml` shows them (eventTime at
 * the first occurrence, series.count and series.lastObservedTime for repeats, the legacy fields empty). A diagnosis
 * must not change with the shape: the first two scenarios turned from PROBE_FAILURE into CRASHLOOP_APP_ERROR, the
 * third from VOLUME_PROVISIONING_FAILED into UNKNOWN, when their events were dated by their first occurrence.
 */
import { describe, expect, it } from 'vitest';
import { eventCount, eventFirstSeen, eventTime, type KubeEvent } from '../../src/kube/reader.js';
import { asEventsApi, eventsAsEventsApi } from '../support/events-api.js';
import { scenarioDiagnoser } from './diagnose-scenario.js';

const diagnoseScenario = scenarioDiagnoser();

describe('an event in either shape', () => {
  const legacy: KubeEvent = {
    metadata: { name: 'a', creationTimestamp: '2026-11-03T10:02:11Z' },
    involvedObject: {},
    firstTimestamp: '2026-11-03T10:02:11Z',
    lastTimestamp: '2026-11-03T10:17:26Z',
    count: 63,
  };
  const eventsApi = asEventsApi(legacy) as KubeEvent;

  it('is dated by its last occurrence, counted, and first seen alike', () => {
    for (const e of [legacy, eventsApi]) {
      expect(eventTime(e)).toBe(Date.parse('2026-11-03T10:17:26Z'));
      expect(eventCount(e)).toBe(63);
      expect(Date.parse(eventFirstSeen(e) ?? '')).toBe(Date.parse('2026-11-03T10:02:11Z'));
    }
  });

  it('counts once and is dated by eventTime when it never repeated', () => {
    const once: KubeEvent = { metadata: { name: 'b' }, involvedObject: {}, eventTime: '2026-11-03T10:12:13.090552Z' };
    expect(eventCount(once)).toBe(1);
    expect(eventTime(once)).toBe(Date.parse('2026-11-03T10:12:13.090Z'));
  });
});

describe('a diagnosis whose events come from the events.k8s.io recorder', () => {
  for (const name of [
    'liveness-503-checks-database-all-replicas',
    'liveness-probe-wrong-port-and-path',
    'pvc-csi-driver-not-installed',
  ]) {
    it(`is the same for ${name}`, async () => {
      const dir = `test/scenarios/${name}`;
      const before = await diagnoseScenario(dir);
      const after = await diagnoseScenario(dir, eventsAsEventsApi);
      expect(after.rootCause).toEqual(before.rootCause);
      expect(after.target).toEqual(before.target);
      expect(after.actions.map((a) => a.kind)).toEqual(before.actions.map((a) => a.kind));
      expect(before.rootCause.code).not.toBe('UNKNOWN');
    });
  }
});
