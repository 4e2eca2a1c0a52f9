import { afterEach, describe, expect, it } from 'vitest';
import { action, type Harness, startHarness } from './fixtures.js';

const limitAction = (limit: string, container = 'app') =>
  action('set-memory-limit', { namespace: 'ads', workload: 'Deployment/api', container, limit });
const dryRuns = (h: Harness) => h.cluster.sandbox.requests().count('PATCH', /\/deployments\/api$/);

describe('dry runs shared by the alerts of one incident', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('an identical action prepared concurrently or soon after is dry-run once; another action gets its own', async () => {
    let now = 1_000_000;
    h = await startHarness({ now: () => now });
    const concurrent = await Promise.all(Array.from({ length: 20 }, () => h.remediation.prepare(limitAction('512Mi'))));
    expect(concurrent.every((p) => p.ok)).toBe(true);
    expect(new Set(concurrent.map((p) => JSON.stringify(p))).size).toBe(1);
    expect(dryRuns(h)).toBe(1);

    // The same params in another key order are the same action; a later one within the window reuses it.
    now += 5000;
    const reordered = action('set-memory-limit', {
      limit: '512Mi',
      container: 'app',
      workload: 'Deployment/api',
      namespace: 'ads',
    });
    expect(await h.remediation.prepare(reordered)).toEqual(concurrent[0]);
    expect(dryRuns(h)).toBe(1);

    // Another value, another container: their own dry runs and their own answers.
    const other = await h.remediation.prepare(limitAction('768Mi'));
    const sidecar = await h.remediation.prepare(limitAction('512Mi', 'consul-client'));
    expect(other.ok && other.diff).toEqual([expect.objectContaining({ after: '768Mi' })]);
    expect(sidecar.ok && sidecar.diff[0]?.field).toContain('consul-client');
    expect(dryRuns(h)).toBe(3);

    // Past the window the cluster is asked again.
    now += 10_001;
    await h.remediation.prepare(limitAction('512Mi'));
    expect(dryRuns(h)).toBe(4);
  });

  it('a temporary failure is not reused: the next alert tries the dry run again', async () => {
    h = await startHarness();
    h.cluster.sandbox.setFaults([{ method: 'PATCH', path: '/deployments/api$', status: 503 }]);
    const failed = await h.remediation.prepare(limitAction('512Mi'));
    expect(failed).toMatchObject({ ok: false, reason: expect.stringContaining('temporary failure') });
    h.cluster.sandbox.setFaults([]);
    expect((await h.remediation.prepare(limitAction('512Mi'))).ok).toBe(true);
    expect(dryRuns(h)).toBe(2);
  });
});
