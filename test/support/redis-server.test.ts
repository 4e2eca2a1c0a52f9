import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from './redis.js';
import { type PrivateRedis, startPrivateRedis } from './redis-server.js';

describe('private AOF redis', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('keeps every acknowledged write across a SIGKILL and a restart on the same port', async () => {
    const before = connect('store', redis.url);
    const pipeline = before.pipeline();
    for (let i = 0; i < 500; i += 1) pipeline.set(`k:${i}`, String(i));
    await pipeline.exec();
    before.disconnect();

    await redis.kill();
    expect(redis.isRunning()).toBe(false);
    await redis.restart();

    const after = connect('store', redis.url);
    try {
      expect(await after.dbsize()).toBe(500);
      expect(await after.get('k:499')).toBe('499');
    } finally {
      after.disconnect();
    }
  });

  it('refuses to restart a server that is still running', async () => {
    await expect(redis.restart()).rejects.toThrow(/still running/);
  });
});
