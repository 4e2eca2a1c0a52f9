import { afterEach, describe, expect, it } from 'vitest';
import type { MedicError } from '../../src/errors.js';
import { createExecutionCounter } from '../../src/store/executions.js';
import { action, type Harness, proposalFrom, startHarness } from '../remediation/fixtures.js';
import { connect, deleteKeysUnder, keysUnder, uniquePrefix } from '../support/redis.js';

describe('circuit breaker: at most remediation.maxExecutionsPerHour executions per namespace per hour', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses the third execution in a namespace within the hour, naming the rail; other scopes go on', async () => {
    let clock = Date.parse('2026-08-01T10:00:00Z');
    h = await startHarness({ settings: { remediation: { maxExecutionsPerHour: 2 } }, now: () => clock });
    const remediation = h.remediation;
    const run = async (kind: Parameters<typeof action>[0], params: Record<string, unknown>) => {
      const proposed = action(kind, params);
      return remediation.execute(proposalFrom(proposed, await remediation.prepare(proposed), clock));
    };
    await run('scale', { namespace: 'ads', workload: 'Deployment/api', replicas: 3 });
    clock += 60_000;
    await run('scale', { namespace: 'ads', workload: 'StatefulSet/db', replicas: 4 });

    const third = action('scale', { namespace: 'ads', workload: 'Deployment/api', replicas: 4 });
    expect(await remediation.prepare(third)).toMatchObject({
      ok: false,
      rail: 'remediation.maxExecutionsPerHour',
      reason: expect.stringMatching(/2 remediation\(s\) already ran in namespace ads in the last hour \(limit 2\)/),
    });
    // Cluster-scoped actions have their own bucket.
    await run('cordon-node', { node: 'node-b1' });

    clock += 3_600_000 - 60_000 + 1; // the first execution leaves the window
    const outcome = await run('scale', { namespace: 'ads', workload: 'Deployment/api', replicas: 4 });
    expect(outcome.ok).toBe(true);
    const error = await remediation
      .execute(proposalFrom(third, { ok: true, diff: [], notes: [] }, clock))
      .catch((e: unknown) => e as MedicError);
    expect(error).toMatchObject({ code: 'GUARD_RAIL', field: 'remediation.maxExecutionsPerHour', permanent: true });
    expect(h.stored('apps/v1', 'Deployment', 'ads', 'api').spec.replicas).toBe(4);
  });

  it('counts atomically: 20 concurrent workers with a limit of 5 get exactly 5 slots', async () => {
    const prefix = uniquePrefix('breaker');
    const redisClients = Array.from({ length: 4 }, () => connect('store'));
    try {
      const now = Date.now();
      const verdicts = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          createExecutionCounter(redisClients[i % 4] as never, prefix).record('ads', `p-${i}`, 5, now),
        ),
      );
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
      expect(verdicts.filter((v) => !v.allowed).every((v) => v.retryAt === now + 3_600_000)).toBe(true);
      const counter = createExecutionCounter(redisClients[0] as never, prefix);
      expect(await counter.count('ads', now)).toBe(5);
      // A retried job (an id already counted) keeps its slot; a new one is still refused.
      const winner = verdicts.findIndex((v) => v.allowed);
      expect(await counter.record('ads', `p-${winner}`, 5, now)).toMatchObject({ allowed: true, count: 5 });
      expect(await counter.record('ads', 'p-new', 5, now)).toMatchObject({ allowed: false, count: 5 });
      expect(await keysUnder(redisClients[0] as never, prefix)).toEqual([`${prefix}:executions:ads`]);
    } finally {
      await deleteKeysUnder(prefix);
      for (const r of redisClients) r.disconnect();
    }
  });
});
