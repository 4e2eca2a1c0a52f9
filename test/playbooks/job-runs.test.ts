/**
 * A Job that runs on (KubeJobNotCompleted): a regular sidecar that keeps the pod running after the work finished
 * (test/scenarios/cronjob-sidecar-keeps-job-running), or a pod that waits (job-not-completed-waiting-on-lock).
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const SIDECAR = 'test/scenarios/cronjob-sidecar-keeps-job-running';
const WAITING = 'test/scenarios/job-not-completed-waiting-on-lock';
type Any = Record<string, any>;
const diagnoseScenario = scenarioDiagnoser();

const edited = (dir: string, change: (o: Any) => void) => diagnoseScenario(dir, eachObject(change));

describe('a Job that runs on', () => {
  it('names the sidecar that keeps the pod running after the main container finished', async () => {
    const d = await diagnoseScenario(SIDECAR);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('container export of pod ledger-export-29077140-5xk2p finished with exit 0');
    expect(d.rootCause.summary).toContain('Make log-shipper a native sidecar');
    expect(d.rootCause.summary).toContain('concurrencyPolicy Forbid');
  });

  it('does not call the work done when a helper finished and the main container still works', async () => {
    const d = await edited(SIDECAR, (o) => {
      if (o.kind !== 'Pod') return;
      // The first container (the work) runs; the second, no sidecar by its name or image, finished.
      o.spec.containers[1].name = 'prepare';
      o.spec.containers[1].image = 'ghcr.io/acme/ledger-prepare:1.0';
      const [work, helper] = o.status.containerStatuses;
      helper.name = 'prepare';
      helper.state = structuredClone(work.state);
      work.state = { running: { startedAt: '2026-11-19T14:00:04Z' } };
    });
    expect(d.rootCause.summary).not.toContain('its work is done');
    expect(d.rootCause.summary).toContain('has not completed');
  });

  it('quotes what a waiting run last logged and says nothing stops it', async () => {
    const d = await diagnoseScenario(WAITING);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toContain('waiting for advisory lock ledger_export');
    expect(d.rootCause.summary).toContain('Nothing stops it: it has no activeDeadlineSeconds');
    expect(d.rootCause.summary).toContain('skips every scheduled run while this one is active');
  });

  it('names the deadline that will stop it, and what Replace does', async () => {
    const d = await edited(WAITING, (o) => {
      if (o.kind === 'Job') o.spec.activeDeadlineSeconds = 86400;
      if (o.kind === 'CronJob') o.spec.concurrencyPolicy = 'Replace';
    });
    expect(d.rootCause.summary).toContain('Its activeDeadlineSeconds (86400 s) will stop it');
    expect(d.rootCause.summary).toContain('will replace this run with the next scheduled one');
  });

  it('says nothing of a run that started less than an hour before the alert', async () => {
    const d = await edited(WAITING, (o) => {
      if (o.kind === 'Job') o.status.startTime = '2026-11-20T01:45:00Z';
    });
    expect(textOf(d)).not.toContain('has been active since');
  });

  it('says nothing of a run going on for a Job that completed', async () => {
    const d = await edited(WAITING, (o) => {
      if (o.kind !== 'Job') return;
      o.status = {
        succeeded: 1,
        startTime: '2026-11-19T14:00:00Z',
        conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2026-11-19T14:40:00Z' }],
      };
    });
    expect(textOf(d)).not.toContain('has been active since');
  });
});
