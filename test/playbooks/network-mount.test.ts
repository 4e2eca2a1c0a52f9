/**
 * A single pod whose NFS mount times out (test/scenarios/nfs-mount-timeout-server-unreachable): the server is named,
 * and neither it nor one pod's failure makes a zonal outage or a cordon.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/nfs-mount-timeout-server-unreachable';
const diagnoseScenario = scenarioDiagnoser();

describe('a failed network-filesystem mount', () => {
  it('names the NFS server, not a zone, and proposes no cordon', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('VOLUME_ATTACH_FAILURE');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('the NFS server 10.0.5.20 does not answer node worker-1');
    expect(d.rootCause.summary).not.toContain('zonal');
  });

  it('makes no zonal story of one pod whose block volume does not attach', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Event' && o.reason === 'FailedMount' && /Mounting/.test(o.message)) {
          o.reason = 'FailedAttachVolume';
          o.message =
            'AttachVolume.Attach failed for volume "pvc-3e1b" : rpc error: code = DeadlineExceeded desc = context deadline exceeded';
        }
      }),
    );
    expect(d.rootCause.code).toBe('VOLUME_ATTACH_FAILURE');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).not.toContain('zonal');
  });
});
