/**
 * Pods that run and stay Ready while their app fails (test/scenarios/running-pods-stale-env-credentials-after-rotation,
 * SREGym secret_rotation_stale_env_credentials): UNKNOWN reads the current log and gives it the crash readings.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const STALE = 'test/scenarios/running-pods-stale-env-credentials-after-rotation';
const diagnoseScenario = scenarioDiagnoser();

const currentLog = (log: string) =>
  eachObject((o) => {
    if (o.kind === 'PodLogs') o.containers = { 'product-catalog': log };
  });

describe('the current log of pods that run while their app fails', () => {
  it('names an environment older than a Secret rotation, with the time the container started', async () => {
    const d = await diagnoseScenario(STALE);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toContain('read once, when the container started (2026-12-04T11:00:07Z)');
    expect(d.rootCause.summary).toContain('kubectl rollout restart');
    expect(d.evidence.some((e) => e.kind === 'log' && e.text.includes('password authentication failed'))).toBe(true);
    expect(d.actions).toEqual([]);
  });

  it('reads an RBAC denial the running app logs', async () => {
    const d = await diagnoseScenario(
      STALE,
      currentLog(
        'E1206 02:39:12 reflector.go:158] failed to list *v1.ConfigMap: configmaps is forbidden: User "system:serviceaccount:otel-demo:default" cannot list resource "configmaps" in API group "" in the namespace "otel-demo"\n',
      ),
    );
    expect(d.rootCause.summary).toContain('refuses service account otel-demo/default');
  });

  it('claims nothing when the log says nothing it knows', async () => {
    const d = await diagnoseScenario(
      STALE,
      currentLog('level=error msg="request failed" error="upstream returned 500"\n'),
    );
    expect(d.rootCause.summary).toContain('No known failure mode found');
  });
});
