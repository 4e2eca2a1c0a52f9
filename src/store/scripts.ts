/**
 * Lua scripts as ioredis custom commands: sent as EVALSHA (the script body goes over the wire once per
 * connection, and again only after Redis lost its script cache, e.g. a restart), so a multi-step change to
 * one key family is one round trip and one atomic step.
 */
import type { Redis } from 'ioredis';

type ScriptArg = string | number;

/**
 * Defines `lua` on `redis` under `name` (once per connection object) and returns a caller taking the
 * `numberOfKeys` keys first, then the arguments. Names must be unique per script text.
 */
export function defineScript<T>(
  redis: Redis,
  name: string,
  numberOfKeys: number,
  lua: string,
): (...args: ScriptArg[]) => Promise<T> {
  const commands = redis as unknown as Record<string, ((...args: ScriptArg[]) => Promise<T>) | undefined>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { numberOfKeys, lua });
  return (...args) => (commands[name] as (...a: ScriptArg[]) => Promise<T>).call(redis, ...args);
}
