/**
 * Medic's BullMQ queues under a prefix and whether any still has work to do. The queues are named (not found
 * with KEYS, which walks the whole keyspace and blocks Redis for tens of milliseconds per call in a storm's
 * keyspace: polled every 50 ms it took a fifth of the benchmark's Redis time).
 */
import { type JobType, Queue } from 'bullmq';
import { ACTIONS_QUEUE, ALERTS_QUEUE } from '../../src/queue/queues.js';
import { SLACK_QUEUE } from '../../src/queue/slack.js';
import type { Redis } from './redis.js';

export interface QueueWatch {
  /** Waiting + active + delayed + prioritized jobs per queue. */
  pending(): Promise<Record<string, number>>;
  failed(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function watchQueues(
  redis: Redis,
  prefix: string,
  names = [ALERTS_QUEUE, ACTIONS_QUEUE, SLACK_QUEUE],
): QueueWatch {
  const queues = names.map((name) => {
    const queue = new Queue(name, { connection: redis, prefix });
    queue.on('error', () => {
      // Redis may be down on purpose in a fault test; the next count waits for the reconnect.
    });
    return queue;
  });
  const counts = async (states: JobType[]) => {
    const result: Record<string, number> = {};
    for (const queue of queues) {
      const c = await queue.getJobCounts(...states);
      result[queue.name] = Object.values(c).reduce((sum, n) => sum + n, 0);
    }
    return result;
  };
  return {
    pending: () => counts(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']),
    failed: () => counts(['failed']),
    async close() {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
