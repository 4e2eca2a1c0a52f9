/** An in-process Medic (src/main.ts) on port 0 with its own queue prefix, for HTTP tests. */
import { type Config, loadConfig } from '../../src/config/load.js';
import { type MedicOverrides, type MedicRole, type RunningMedic, startMedic } from '../../src/main.js';
import { deleteKeysUnder, silentLogger, TEST_REDIS_URL, uniquePrefix } from './redis.js';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig(
    { PORT: '0', REDIS_URL: TEST_REDIS_URL, MEDIC_QUEUE_PREFIX: uniquePrefix('app'), ...env },
    undefined,
  );
}

export interface TestMedic extends RunningMedic {
  config: Config;
  /** Stops Medic and deletes every key it wrote. */
  close(): Promise<void>;
}

export async function startTestMedic(
  options: { env?: Record<string, string>; role?: MedicRole; overrides?: MedicOverrides } = {},
): Promise<TestMedic> {
  const config = testConfig(options.env);
  const medic = await startMedic({
    config,
    role: options.role ?? 'web',
    logger: silentLogger,
    host: '127.0.0.1',
    overrides: { kube: null, ...options.overrides },
  });
  return {
    ...medic,
    config,
    async close() {
      await medic.stop();
      await deleteKeysUnder(config.queuePrefix, config.redis.url).catch(() => undefined);
    },
  };
}
