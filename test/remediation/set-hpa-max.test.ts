/**
 * set-hpa-max through the real client against the sandbox (dry run, diff, rails, staleness), what kubectl sees
 * afterwards, and the audit line the actions processor writes for it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createActionProcessor } from '../../src/approvals/execute.js';
import type { MedicError } from '../../src/errors.js';
import { createClusterWriter } from '../../src/kube/writer.js';
import { createAuditLog } from '../../src/store/audit.js';
import { createProposalStore } from '../../src/store/proposals.js';
import { silentLogger } from '../support/redis.js';
import { action, type Harness, type HarnessOptions, proposalFrom, startHarness } from './fixtures.js';

const run = promisify(execFile);
const raise = (maxReplicas: number, namespace = 'ads', hpa = 'api') =>
  action('set-hpa-max', { namespace, hpa, maxReplicas });

describe('set-hpa-max', () => {
  let h: Harness;
  const start = async (options: HarnessOptions = {}) => {
    h = await startHarness(options);
  };
  afterEach(async () => {
    await h?.close();
  });
  const hpa = () => h.stored('autoscaling/v2', 'HorizontalPodAutoscaler', 'ads', 'api');
  const kubectl = (...args: string[]) => run('kubectl', [`--server=${h.cluster.sandbox.url}`, ...args]);
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e as MedicError,
    );

  it('dry-runs first (nothing changes), then raises spec.maxReplicas alone; kubectl shows the new maximum', async () => {
    await start();
    const proposed = raise(16);
    const prepared = await h.remediation.prepare(proposed);
    if (!prepared.ok) throw new Error(prepared.reason);
    expect(prepared.diff).toEqual([
      { field: 'HorizontalPodAutoscaler/api spec.maxReplicas', before: '10', after: '16' },
    ]);
    expect(prepared.notes.join(' ')).toMatch(/up to 16 pods of Deployment\/api/);
    expect(hpa().spec.maxReplicas).toBe(10);

    const outcome = await h.remediation.execute(proposalFrom(proposed, prepared));
    expect(outcome).toMatchObject({ ok: true, message: 'HorizontalPodAutoscaler api maxReplicas raised 10 → 16' });
    expect(hpa().spec).toMatchObject({ minReplicas: 2, maxReplicas: 16, scaleTargetRef: { name: 'api' } });
    expect(h.stored('apps/v1', 'Deployment', 'ads', 'api').spec.replicas).toBe(2);

    const { stdout } = await kubectl('-n', 'ads', 'get', 'hpa', 'api', '-o', 'jsonpath={.spec.maxReplicas}');
    expect(stdout).toBe('16');
    const table = await kubectl('-n', 'ads', 'get', 'hpa');
    expect(table.stdout).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\n/);
    expect(table.stdout).toMatch(/\napi\s+Deployment\/api\s+<none>\s+2\s+16\s+0\s/);
  });

  it('kubectl patch does what the action does, and the sandbox refuses a maximum below the minimum like the API server', async () => {
    await start();
    const patch = (type: string, body: string, ...extra: string[]) =>
      kubectl('-n', 'ads', 'patch', 'hpa', 'api', `--type=${type}`, '-p', body, ...extra);
    const dry = await patch('merge', '{"spec":{"maxReplicas":12}}', '--dry-run=server');
    expect(dry.stdout).toMatch(/horizontalpodautoscaler.autoscaling\/api patched/);
    expect(hpa().spec.maxReplicas).toBe(10);
    await patch('json', '[{"op":"replace","path":"/spec/maxReplicas","value":12}]');
    expect(hpa().spec.maxReplicas).toBe(12);
    const refused = await patch('merge', '{"spec":{"maxReplicas":1}}').then(
      () => '',
      (e: { stderr: string }) => e.stderr,
    );
    expect(refused).toMatch(/spec.maxReplicas: Invalid value: 1: must be greater than or equal to `minReplicas`/);
    expect(hpa().spec.maxReplicas).toBe(12);
  });

  it('rails: never above scale.max, never lower, not in a denied namespace; each refusal changes nothing', async () => {
    await start({ settings: { scale: { max: 20 } } });
    expect(await h.remediation.prepare(raise(21))).toEqual({
      ok: false,
      reason: 'Refused by guard rail scale.max: maxReplicas 21 is above the maximum of 20 replicas',
      rail: 'scale.max',
    });
    expect(await h.remediation.prepare(raise(6))).toMatchObject({
      ok: false,
      reason: 'set-hpa-max only raises: HorizontalPodAutoscaler ads/api has maxReplicas 10, 6 would lower it',
    });
    expect(await h.remediation.prepare(raise(10))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/already has maxReplicas 10/),
    });
    expect(await h.remediation.prepare(raise(12, 'kube-system', 'coredns'))).toMatchObject({
      ok: false,
      rail: 'remediation.denyNamespaces',
    });
    expect(await h.remediation.prepare(raise(0))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/params\.maxReplicas/),
    });
    expect(await h.remediation.prepare(raise(12, 'ads', 'nope'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/refused to read HorizontalPodAutoscaler ads\/nope: .*HTTP 404/),
    });
    expect(hpa().spec.maxReplicas).toBe(10);
  });

  it('a maximum changed by hand after the proposal makes it stale; the HPA’s own status updates do not', async () => {
    await start();
    const other = createClusterWriter(h.cluster.apis);
    const first = raise(14);
    const proposal = proposalFrom(first, await h.remediation.prepare(first));
    // The controller writes status every sync: a new resourceVersion, the same bounds.
    h.cluster.sandbox.store.replace({ ...hpa(), status: { currentReplicas: 7, desiredReplicas: 9 } } as never);
    expect((await h.remediation.execute(proposal)).ok).toBe(true);

    const second = raise(18);
    const stale = proposalFrom(second, await h.remediation.prepare(second));
    await other.patchHorizontalPodAutoscaler('ads', 'api', { spec: { maxReplicas: 15 } }, { dryRun: false });
    const error = await failure(h.remediation.execute(stale));
    expect(error).toMatchObject({ code: 'PROPOSAL_STALE', permanent: true });
    expect(error.message).toMatch(/spec.maxReplicas was 14, now 15/);
    expect(hpa().spec.maxReplicas).toBe(15);
  });

  it('an approved set-hpa-max run by the actions processor leaves an audit line with who, what and the outcome', async () => {
    await start();
    const proposals = createProposalStore(h.redis, h.prefix);
    const audit = createAuditLog(h.redis, h.prefix);
    const proposed = raise(16);
    const proposal = { ...proposalFrom(proposed, await h.remediation.prepare(proposed)), id: proposals.newId() };
    await proposals.create(proposal);
    const process = createActionProcessor({
      proposals,
      audit,
      remediation: h.remediation,
      onProposalChange: async () => {},
      now: Date.now,
    });
    const context = {
      jobId: proposal.id,
      attempt: 1,
      maxAttempts: 3,
      signal: new AbortController().signal,
      logger: silentLogger,
    };
    await process({ proposalId: proposal.id } as never, context as never);
    const [entry] = await audit.recent(1);
    expect(entry).toMatchObject({
      actor: 'U0APPROVER',
      action: 'execute',
      proposalId: proposal.id,
      kind: 'set-hpa-max',
      outcome: 'done',
      detail: 'HorizontalPodAutoscaler api maxReplicas raised 10 → 16',
    });
    expect((await proposals.get(proposal.id))?.state).toBe('done');
    expect(hpa().spec.maxReplicas).toBe(16);
  });
});
