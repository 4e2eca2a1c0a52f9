import { describe, expect, it } from 'vitest';
import { CallScope, createSharedCache } from '../../src/kube/reader-calls.js';

describe('the shared answer cache', () => {
  it('reuses an answer within its TTL and keeps no expired answers once a new one is stored', async () => {
    let now = 0;
    const shared = createSharedCache(2000, () => now);
    const scope = new CallScope(shared, undefined);
    let calls = 0;
    const read = (key: string) =>
      scope.read(key, key, async () => {
        calls += 1;
        return `${key}@${now}`;
      });

    expect(await read('pods/a')).toBe('pods/a@0');
    now = 1000;
    expect(await read('pods/b')).toBe('pods/b@1000');
    expect(await read('pods/a')).toBe('pods/a@0');
    expect(calls).toBe(2);

    now = 2500; // pods/a (stored at 0) expired, pods/b (stored at 1000) not yet
    expect(await read('pods/c')).toBe('pods/c@2500');
    expect([...shared.values.keys()]).toEqual(['pods/b', 'pods/c']);

    now = 10_000;
    expect(await read('pods/b')).toBe('pods/b@10000');
    expect([...shared.values.keys()]).toEqual(['pods/b']);
    expect(calls).toBe(4);
  });

  it('joins a request another diagnosis has on the wire; a joiner aborted stops waiting, the others get the answer', async () => {
    const shared = createSharedCache(2000);
    let calls = 0;
    let answer: (value: string) => void = () => undefined;
    const call = () => {
      calls += 1;
      return new Promise<string>((resolve) => {
        answer = resolve;
      });
    };
    const aborting = new AbortController();
    const first = new CallScope(shared, undefined).read('nodes', 'list nodes', call);
    const second = new CallScope(shared, new AbortController().signal).read('nodes', 'list nodes', call);
    const third = new CallScope(shared, aborting.signal).read('nodes', 'list nodes', call);
    aborting.abort();
    await expect(third).rejects.toThrow('Kubernetes API not asked to list nodes: the diagnosis was aborted');
    answer('n1');
    expect(await first).toBe('n1');
    expect(await second).toBe('n1');
    expect(calls).toBe(1);
    expect(shared.inflight.size).toBe(0);
  });
});
