/**
 * A workload whose pods have been stuck for long with no event left to say why (events expire an hour after their
 * last repeat; test/scenarios/replicas-mismatch-never-ready-events-expired and
 * replicas-mismatch-pods-creating-40-min-events-expired): how the Deployment rolls out does not explain pods that
 * never became ready, so no rollout-safety patch; UNKNOWN says what is known instead (src/diagnosis/blocked.ts).
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const NEVER_READY = 'test/scenarios/replicas-mismatch-never-ready-events-expired';
const diagnoseScenario = scenarioDiagnoser();

describe('pods that never became ready, their events gone', () => {
  it('names the container and its readiness probe, and proposes nothing', async () => {
    const d = await diagnoseScenario(NEVER_READY);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toContain(
      'Container search-api of pod search-api-6f7d8c9b5a-l8m2x has run since 2026-11-23T14:00:06Z without becoming ready: its readiness probe (HTTP GET :9000/ready) keeps failing',
    );
    expect(d.actions).toEqual([]);
  });

  it('keeps the rollout findings while the unready containers started minutes before the alert', async () => {
    const started = eachObject((o) => {
      for (const s of o.kind === 'Pod' ? o.status.containerStatuses : [])
        if (s.state.running) s.state.running.startedAt = '2026-11-25T09:24:00Z';
    });
    const d = await diagnoseScenario(NEVER_READY, started);
    expect(d.rootCause.code).toBe('UNSAFE_ROLLOUT');
  });

  it('does not count a running container without a readiness probe', async () => {
    const unprobed = eachObject((o) => {
      for (const c of o.kind === 'Pod' ? o.spec.containers : []) delete c.readinessProbe;
    });
    const d = await diagnoseScenario(NEVER_READY, unprobed);
    expect(d.rootCause.summary).not.toContain('without becoming ready');
  });
});
