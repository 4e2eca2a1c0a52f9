import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMedicError } from '../../src/errors.js';
import { startTestMedic } from '../support/medic.js';
import { connect } from '../support/redis.js';
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server.js';

describe('start-up on a port that is taken', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis({ aof: false });
  });
  afterAll(async () => {
    await redis.close();
  });

  it('fails with one sentence naming the port, and leaves no worker or Redis connection behind', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    const client = connect('store', redis.url);
    const ownId = await client.client('ID');
    try {
      const error = await startTestMedic({ role: 'all', env: { REDIS_URL: redis.url, PORT: String(port) } }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isMedicError(error) && error.field).toBe('PORT');
      expect((error as Error).message).toBe(
        `Port ${port} is already in use; stop what listens there or choose another port with PORT (e.g. PORT=${port + 1}; 0 picks a free one).`,
      );
      // Producer, store, worker and BullMQ's own connections were all opened before listen(): all are closed.
      const others = async () =>
        String(await client.client('LIST'))
          .split('\n')
          .filter((line) => line.startsWith('id=') && !line.startsWith(`id=${ownId} `));
      await expect.poll(others, { timeout: 5000 }).toEqual([]);
    } finally {
      blocker.close();
      client.disconnect();
    }
  });
});
