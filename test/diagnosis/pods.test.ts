/** Where a limit is raised when no Deployment, StatefulSet or DaemonSet template can be patched. */
import { describe, expect, it } from 'vitest';
import { cronJobOf, unpatchableLimitWords } from '../../src/diagnosis/pods.js';
import type { Job, Workload } from '../../src/kube/reader.js';

const job = (owners: { kind: string; name: string }[]): Workload => {
  const object: Job = {
    metadata: {
      name: 'export-29077140',
      namespace: 'finance',
      ownerReferences: owners.map((o) => ({ apiVersion: 'batch/v1', uid: 'u', ...o })),
    },
  };
  return { kind: 'Job', name: 'export-29077140', namespace: 'finance', object };
};

describe('a limit with no template to patch', () => {
  it("sends a CronJob's Job to the CronJob's jobTemplate, with the value", () => {
    const cronJobs = job([{ kind: 'CronJob', name: 'export' }]);
    expect(cronJobOf(cronJobs.object as Job)).toBe('export');
    const words = unpatchableLimitWords(cronJobs, 'export', 'memory', '512Mi');
    expect(words.headline).toBe(
      "Raise the memory limit to 512Mi in CronJob export's jobTemplate; its next run uses it.",
    );
    expect(words.advice).toContain('cannot be changed once it exists');
  });

  it('sends a Job nobody schedules to its manifest, to be created again', () => {
    const words = unpatchableLimitWords(job([]), 'export', 'CPU', null);
    expect(words.advice).toBe(
      "A Job's pod template cannot be changed once it exists: raise export's CPU limit in the manifest Job export-29077140 was created from, then create it again.",
    );
  });

  it('sends a bare pod to where it is defined', () => {
    expect(unpatchableLimitWords(null, 'app', 'memory', '1Gi').headline).toBe(
      'Raise the memory limit to 1Gi where the pod is defined.',
    );
  });
});
