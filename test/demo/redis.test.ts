import { describe, expect, it } from 'vitest';
import { ensureRedis, redisAnswers, startPrivateRedis } from '../../src/demo/redis.js';

describe('the demo’s Redis', () => {
  it('starts a private redis-server when REDIS_URL does not answer, and stops it', async () => {
    const notices: string[] = [];
    const redis = await ensureRedis('redis://127.0.0.1:9', (n) => notices.push(n));
    try {
      expect(notices[0]).toMatch(/does not answer; starting a private redis-server/);
      expect(redis.isPrivate).toBe(true);
      expect(await redisAnswers(redis.url)).toBe(true);
    } finally {
      await redis.stop();
    }
    expect(await redisAnswers(redis.url, 300)).toBe(false);
  });

  it('says how to install Redis when redis-server is missing', async () => {
    await expect(startPrivateRedis('/nonexistent/redis-server')).rejects.toThrow(/apt-get install redis-server/);
  });
});
