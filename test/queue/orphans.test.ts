/**
 * A job Redis handed to this worker while the reply was lost (./src/queue/orphans.ts) is given back after the
 * reconnect, not after its lock expires (15 s); a job the worker is running and another worker's job are not.
 */
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { createJobLedger } from '../../src/queue/orphans.js';
import { type RunningWorker, startWorker } from '../../src/queue/workers.js';
import type { Redis } from '../../src/store/redis.js';
import { connect, deleteKeysUnder, silentLogger, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const QUEUE = 'orphans';

describe('jobs left active when Redis went away', () => {
  let prefix: string;
  let producer: Redis;
  let connection: Redis;
  let queue: Queue;
  let worker: RunningWorker | undefined;
  let release = () => {};

  beforeEach(() => {
    prefix = uniquePrefix('orphans');
    producer = connect('producer');
    connection = connect('worker');
    queue = new Queue(QUEUE, { connection: producer, prefix });
  });
  afterEach(async () => {
    release(); // a failed test must not leave close() waiting for the held job
    await worker?.close();
    await queue.close();
    producer.disconnect();
    connection.disconnect();
    await deleteKeysUnder(prefix);
  });

  it('gives back its own lost job at once, and leaves its running job and another worker’s job alone', async () => {
    const runs: string[] = [];
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    worker = startWorker<{ name: string }>(QUEUE, {
      connection,
      prefix,
      concurrency: 1,
      logger: silentLogger,
      metrics: createMetrics(),
      orphanGraceMs: 200,
      processor: async (data) => {
        runs.push(data.name);
        if (data.name === 'hold') await held;
      },
    });
    const bull = worker.worker;
    await queue.add('job', { name: 'hold' }, { jobId: 'hold' });
    await waitFor(() => runs.includes('hold'), { timeoutMs: 5000, what: 'the held job to start' });

    // With its one slot busy the worker fetches nothing more: these two are taken as a lost reply would leave
    // them, active under a lock nobody renews — one under this worker's token, one under another worker's.
    await queue.add('job', { name: 'lost' }, { jobId: 'lost' });
    expect((await bull.getNextJob(`${bull.id}:999`, { block: false }))?.id).toBe('lost');
    await queue.add('job', { name: 'theirs' }, { jobId: 'theirs' });
    expect((await bull.getNextJob('another-worker:1', { block: false }))?.id).toBe('theirs');

    connection.disconnect(true); // the connection drops and comes back, as after a Redis restart
    await waitFor(async () => (await queue.getJobState('lost')) !== 'active', {
      timeoutMs: 5000,
      what: 'the lost job to leave the active list',
    });
    expect(await queue.getJobState('hold')).toBe('active'); // still running here: not given back
    release();
    await waitFor(() => runs.includes('lost'), { timeoutMs: 5000, what: 'the lost job to run' });
    await waitFor(async () => (await queue.getJobState('lost')) === 'completed', {
      timeoutMs: 5000,
      what: 'the lost job to complete',
    });
    expect(await queue.getJobState('hold')).toBe('completed');
    expect(await queue.getJobState('theirs')).toBe('active');
    expect(runs).toEqual(['hold', 'lost']);
  });
});

describe('the jobs a worker holds', () => {
  it('holds a job while it runs and for 10 s after it finished, while its completion may still be on the way', () => {
    let now = 1_000_000;
    const ledger = createJobLedger(() => now);
    ledger.start('a');
    expect(ledger.holds('a')).toBe(true);
    ledger.finish('a');
    now += 9_000;
    expect(ledger.holds('a')).toBe(true);
    now += 1_001;
    expect(ledger.holds('a')).toBe(false);
    expect(ledger.holds('never-seen')).toBe(false);
  });
});
