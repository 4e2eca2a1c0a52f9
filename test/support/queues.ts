/** Every BullMQ queue under a prefix (found by its meta key) and whether any still has work to do. */
import { type JobType, Queue } from 'bullmq';
import type { Redis } from './redis.js';

export interface QueueWatch {
  /** Waiting + active + delayed + prioritized jobs per queue. */
  pending(): Promise<Record<string, number>>;
  failed(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function watchQueues(redis: Redis, prefix: string): QueueWatch {
  const queues = new Map<string, Queue>();
  const discover = async () => {
    const metaKeys = await redis.keys(`${prefix}:*:meta`);
    for (const key of metaKeys) {
      const name = key.slice(prefix.length + 1, -':meta'.length);
      // Other keys end in :meta too (e.g. Slack thread state); queue names never contain ':'.
      if (!name.includes(':') && !queues.has(name)) {
        const queue = new Queue(name, { connection: redis, prefix });
        queue.on('error', () => {
          // Redis may be down on purpose in a fault test; the next count waits for the reconnect.
        });
        queues.set(name, queue);
      }
    }
    return [...queues.values()];
  };
  const counts = async (states: JobType[]) => {
    const result: Record<string, number> = {};
    for (const queue of await discover()) {
      const c = await queue.getJobCounts(...states);
      result[queue.name] = Object.values(c).reduce((sum, n) => sum + n, 0);
    }
    return result;
  };
  return {
    pending: () => counts(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']),
    failed: () => counts(['failed']),
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
