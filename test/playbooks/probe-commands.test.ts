/**
 * Exec probes whose program is not in the image (test/scenarios/liveness-exec-probe-curl-missing-from-image): the
 * runtime cannot start the command, so every probe fails however healthy the app is. The diagnosis names the program
 * and says loosening the probe changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { missingProbeCommand } from '../../src/diagnosis/probes.js';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/liveness-exec-probe-curl-missing-from-image';
const diagnoseScenario = scenarioDiagnoser();

describe('an exec probe whose program is not in the image', () => {
  it("reads the runtime's answer", () => {
    expect(
      missingProbeCommand(
        'Liveness probe failed: OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown',
      ),
    ).toBe('curl');
    expect(
      missingProbeCommand(
        'Readiness probe failed: OCI runtime exec failed: exec failed: container_linux.go:380: starting container process caused: exec: "/bin/grpc_health_probe": stat /bin/grpc_health_probe: no such file or directory: unknown',
      ),
    ).toBe('/bin/grpc_health_probe');
    expect(missingProbeCommand('Liveness probe failed: HTTP probe failed with statuscode: 500')).toBeNull();
  });

  it('names the program and the probes that need none; the new image dropped it, so it rolls back', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('PROBE_FAILURE');
    expect(d.rootCause.summary).toContain('curl is not in the image');
    expect(d.rootCause.summary).toContain('loosening timeoutSeconds/failureThreshold changes nothing');
    expect(d.rootCause.summary).toContain('Probe with httpGet on port 8080');
    expect(d.actions.map((a) => a.kind)).toEqual(['rollout-undo']);
  });

  it('says the same of a readiness probe', async () => {
    const readiness = eachObject((o) => {
      if (o.kind === 'Event' && o.reason === 'Unhealthy') o.message = o.message.replace('Liveness', 'Readiness');
      if (o.kind === 'Event' && o.reason === 'Killing') o.reason = 'Ignored';
      for (const c of [...(o.spec?.containers ?? []), ...(o.spec?.template?.spec?.containers ?? [])])
        if (c.livenessProbe) {
          c.readinessProbe = c.livenessProbe;
          delete c.livenessProbe;
        }
      for (const s of o.status?.containerStatuses ?? []) {
        s.ready = false;
        s.restartCount = 0;
        delete s.lastState;
      }
    });
    const d = await diagnoseScenario(DIR, readiness);
    expect(d.rootCause.code).toBe('PROBE_FAILURE');
    expect(d.rootCause.summary).toContain('curl is not in the image');
  });
});
