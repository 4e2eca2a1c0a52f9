/**
 * A traffic alert right after a finished rollout is UNSAFE_ROLLOUT only inside the 15-minute window, only when the
 * manifest has the hazards, and only for a real rollout (not an HPA scale-up); through the real engine and sandbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alertmanager/payload.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { diagnoseIn, scenarioEvent, scenarioObjects, startSandbox, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/finished-rollout-5xx-unsafe';
const FINISHED = Date.parse('2026-11-26T14:05:31Z');

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function diagnose(
  edit: { objects?: (o: Record<string, any>[]) => Record<string, any>[]; event?: (e: AlertEvent) => void } = {},
) {
  sandbox = await startSandbox({ objects: (edit.objects ?? ((o) => o))(scenarioObjects(DIR)) });
  return diagnoseIn(sandbox, scenarioEvent(DIR, edit.event));
}
const startingAt = (ms: number) => (e: AlertEvent) => {
  e.alert.startsAt = new Date(ms).toISOString();
};

describe('a traffic alert after a finished rollout', () => {
  it('14 minutes after the rollout ended: UNSAFE_ROLLOUT with the timing', async () => {
    const d = await diagnose({ event: startingAt(FINISHED + 14 * 60_000) });
    expect(d.rootCause.code).toBe('UNSAFE_ROLLOUT');
    expect(textOf(d)).toMatch(/14 min after it ended/);
  });

  it('16 minutes after: too late to be the rollout, not UNSAFE_ROLLOUT', async () => {
    const d = await diagnose({ event: startingAt(FINISHED + 16 * 60_000) });
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
  });

  it('an alert that started before the rollout is not caused by it', async () => {
    const d = await diagnose({ event: startingAt(Date.parse('2026-11-26T14:00:00Z')) });
    expect(d.rootCause.code).toBe('UNKNOWN');
  });

  it('during the rollout: UNSAFE_ROLLOUT, said to have started while it ran', async () => {
    const d = await diagnose({ event: startingAt(Date.parse('2026-11-26T14:04:10Z')) });
    expect(d.rootCause.code).toBe('UNSAFE_ROLLOUT');
    expect(textOf(d)).toMatch(/while it was still running/);
  });

  it('a manifest with a preStop hook and a 60 s grace period is not blamed for the same timing', async () => {
    const safe = (objects: Record<string, any>[]) =>
      objects.map((o) => {
        if (o.kind !== 'Deployment') return o;
        const spec = structuredClone(o.spec);
        spec.template.spec.terminationGracePeriodSeconds = 60;
        spec.template.spec.containers[0].lifecycle = { preStop: { exec: { command: ['sleep', '20'] } } };
        return { ...o, spec };
      });
    const d = await diagnose({ objects: safe });
    expect(d.rootCause.code).not.toBe('UNSAFE_ROLLOUT');
  });

  it('an HPA scale-up (current ReplicaSet scaled up, no old revision removed) is no rollout', async () => {
    const scaledOnly = (objects: Record<string, any>[]) =>
      objects
        .filter((o) => !(o.kind === 'Event' && /Scaled down replica set/.test(o.message)))
        .map((o) =>
          o.kind === 'ReplicaSet' && o.metadata.name === 'cart-api-6c9d8f7b5d'
            ? { ...o, metadata: { ...o.metadata, creationTimestamp: '2026-11-24T09:18:05Z' } }
            : o,
        );
    const d = await diagnose({ objects: scaledOnly });
    expect(d.rootCause.code).toBe('UNKNOWN');
  });

  it('a latency alert that names the Deployment (not the Service) is a traffic alert too', async () => {
    const d = await diagnose({
      event: (e) => {
        e.alert.labels = {
          alertname: 'CartApiLatencyHigh',
          namespace: 'shop',
          deployment: 'cart-api',
          severity: 'warning',
        };
        e.alert.annotations = { summary: 'p99 latency of cart-api above 1s' };
      },
    });
    expect(d.rootCause.code).toBe('UNSAFE_ROLLOUT');
    expect(d.actions.map((a) => a.kind)).toEqual(['patch-rollout-safety']);
  });

  it('a non-traffic alert on the Deployment after the same rollout is not blamed on it', async () => {
    const d = await diagnose({
      event: (e) => {
        e.alert.labels = {
          alertname: 'CartApiCacheColdStart',
          namespace: 'shop',
          deployment: 'cart-api',
          severity: 'info',
        };
        e.alert.annotations = { summary: 'cart-api cache was rebuilt' };
      },
    });
    expect(d.rootCause.code).not.toBe('UNSAFE_ROLLOUT');
  });
});
