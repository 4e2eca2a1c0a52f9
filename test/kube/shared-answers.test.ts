/**
 * The client's shared answers (src/kube/reader-calls.ts) through the real client against a sandbox: a GET answered
 * from a fresh list, a selected list from a fresh full one, expiry, and a change through the writer dropping them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKubeApis, type KubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { createSharedCache, DEFAULT_ANSWER_TTL_MS } from '../../src/kube/reader-calls.js';
import { labelSelectorMatcher } from '../../src/kube/selectors.js';
import { createClusterWriter } from '../../src/kube/writer.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
const pod = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels },
  spec: { nodeName: 'n-1', containers: [{ name: 'c', image: 'c:1' }] },
  status: { phase: 'Running' },
});
const OBJECTS = [
  node('n-1'),
  node('n-2'),
  pod('web-1', { app: 'web', tier: 'front' }),
  pod('web-2', { app: 'web', tier: 'back', canary: 'yes' }),
  pod('db-1', { app: 'db', tier: 'back' }),
  pod('bare', {}),
];

let sandbox: Sandbox;
let now: number;
let apis: KubeApis;

beforeAll(async () => {
  sandbox = await startSandbox({ objects: OBJECTS });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  now = 1_000_000;
  apis = createKubeApis(loadKubeConfig({ server: sandbox.url }), {
    answers: createSharedCache(DEFAULT_ANSWER_TTL_MS, () => now),
  });
});

/** Requests the sandbox serves while `run` runs. */
async function served(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = sandbox.requests().byRoute;
  await run();
  const after = sandbox.requests().byRoute;
  return Object.fromEntries(
    Object.entries(after)
      .map(([route, n]) => [route, n - (before[route] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

describe('answers shared by the readers of one client', () => {
  it('a GET of an object a fresh list holds costs no request; after the TTL it costs one', async () => {
    const reader = createClusterReader(apis).scoped();
    await reader.listNodes();
    expect(await served(async () => expect((await reader.getNode('n-2'))?.metadata?.name).toBe('n-2'))).toEqual({});

    // Another reader of the same client (another diagnosis, the `/medic diagnose` target finder) shares them.
    const other = createClusterReader(apis).scoped();
    expect(await served(() => other.getNode('n-1'))).toEqual({});

    now += DEFAULT_ANSWER_TTL_MS;
    expect(await served(() => other.getNode('n-1'))).toEqual({ 'GET /api/v1/nodes/n-1': 1 });
  });

  it('a GET while a list that holds the object is on the wire waits for it instead of asking again', async () => {
    const reader = createClusterReader(apis);
    let nodes: unknown;
    let pod: unknown;
    const requests = await served(async () => {
      const listing = Promise.all([reader.scoped().listNodes(), reader.scoped().listPods('shop')]);
      [nodes, pod] = await Promise.all([reader.scoped().getNode('n-2'), reader.scoped().getPod('shop', 'db-1')]);
      await listing;
    });
    expect(requests).toEqual({ 'GET /api/v1/nodes': 1, 'GET /api/v1/namespaces/shop/pods': 1 });
    expect(nodes).toMatchObject({ metadata: { name: 'n-2' } });
    expect(pod).toMatchObject({ metadata: { name: 'db-1', namespace: 'shop' } });
    // The node list holds every node: one it lacks does not exist.
    now += DEFAULT_ANSWER_TTL_MS;
    const missing = await served(async () => {
      const listing = reader.scoped().listNodes();
      expect(await reader.scoped().getNode('n-9')).toBeNull();
      await listing;
    });
    expect(missing).toEqual({ 'GET /api/v1/nodes': 1 });
  });

  it('a complete list proves absence while fresh; a list selected by label or field does not', async () => {
    const reader = createClusterReader(apis).scoped();
    await Promise.all([reader.listNodes(), reader.listPods('shop', 'app=web'), reader.listActivePods()]);
    const requests = await served(async () => {
      expect(await reader.getNode('gone')).toBeNull();
      expect(await reader.getPod('shop', 'gone')).toBeNull();
    });
    expect(requests).toEqual({ 'GET /api/v1/namespaces/shop/pods/gone': 1 });
    await reader.listPods('shop');
    expect(await served(() => reader.getPod('shop', 'also-gone'))).toEqual({});
    now += DEFAULT_ANSWER_TTL_MS;
    expect(await served(() => reader.getNode('gone'))).toEqual({ 'GET /api/v1/nodes/gone': 1 });
  });

  it('a label-selected list proves only presence: an object it lacks is still asked for, not-found stays null', async () => {
    const reader = createClusterReader(apis).scoped();
    const web = await reader.listPods('shop', 'app=web');
    expect(web.map((p) => p.metadata?.name)).toEqual(['web-1', 'web-2']);
    expect(await served(() => reader.getPod('shop', 'web-2'))).toEqual({});
    expect(await served(() => reader.getPod('shop', 'db-1'))).toEqual({ 'GET /api/v1/namespaces/shop/pods/db-1': 1 });
    let gone: unknown;
    expect(
      await served(async () => {
        gone = await reader.getPod('shop', 'gone');
      }),
    ).toEqual({ 'GET /api/v1/namespaces/shop/pods/gone': 1 });
    expect(gone).toBeNull();
  });

  it('a selected list is worked out from a fresh full list as the API server selects', async () => {
    const fresh = createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })), { cacheTtlMs: 0 });
    const reader = createClusterReader(apis).scoped();
    await reader.listPods('shop');
    const selectors = [
      'app=web',
      'tier==back',
      'app!=web',
      'canary',
      '!canary',
      'tier in (front, back),app notin (db)',
    ];
    for (const selector of selectors) {
      const names = (pods: { metadata?: { name?: string } }[]) => pods.map((p) => p.metadata?.name);
      let derived: string[] = [];
      expect(
        await served(async () => {
          derived = names(await reader.listPods('shop', selector)) as string[];
        }),
      ).toEqual({});
      expect(derived.length, selector).toBeGreaterThan(0);
      expect(derived, selector).toEqual(names(await fresh.scoped().listPods('shop', selector)));
    }
    // A form it does not evaluate is asked for.
    expect(labelSelectorMatcher('replicas>2')).toBeUndefined();
    expect(await served(() => reader.listPods('shop', 'replicas>2').catch(() => []))).toEqual({
      'GET /api/v1/namespaces/shop/pods': 1,
    });
  });

  it('a change through the writer drops the answers; a dry run does not', async () => {
    const reader = createClusterReader(apis);
    const writer = createClusterWriter(apis);
    await reader.scoped().listNodes();
    await writer.patchNode('n-1', { spec: { unschedulable: true } }, { dryRun: true });
    expect(await served(() => reader.scoped().getNode('n-1'))).toEqual({});

    await writer.patchNode('n-1', { spec: { unschedulable: true } }, { dryRun: false });
    let cordoned: boolean | undefined;
    expect(
      await served(async () => {
        cordoned = (await reader.scoped().getNode('n-1'))?.spec?.unschedulable;
      }),
    ).toEqual({ 'GET /api/v1/nodes/n-1': 1 });
    expect(cordoned).toBe(true);
    await writer.patchNode('n-1', { spec: { unschedulable: false } }, { dryRun: false });
  });
});
