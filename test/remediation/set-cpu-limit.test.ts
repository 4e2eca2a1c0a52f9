/**
 * set-cpu-limit through the real client against the sandbox, checked with kubectl: dry run, diff, the request
 * kept ≤ the limit, guard rails, stale proposals, and the audit trail of proposing and running it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createProposals } from '../../src/incidents/proposals.js';
import { createActionRunner } from '../../src/incidents/run-action.js';
import { createAuditLog } from '../../src/store/audit.js';
import { createProposalStore } from '../../src/store/proposals.js';
import { silentLogger } from '../support/redis.js';
import { action, type Harness, type HarnessOptions, proposalFrom, startHarness } from './fixtures.js';

const run = promisify(execFile);

/** search/api: an app throttled at 500m (request 250m) next to an envoy sidecar. */
const SEARCH = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'search', generation: 4 },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'search-api' } },
    template: {
      metadata: { labels: { app: 'search-api' } },
      spec: {
        containers: [
          {
            name: 'search-api',
            image: 'search/api:8.3.1',
            resources: { limits: { cpu: '500m', memory: '2Gi' }, requests: { cpu: '250m', memory: '1Gi' } },
          },
          {
            name: 'envoy',
            image: 'envoyproxy/envoy:v1.31.2',
            resources: { limits: { cpu: '1', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
          },
        ],
      },
    },
  },
};

const cpuAction = (limit: string, container = 'search-api', namespace = 'search', workload = 'Deployment/api') =>
  action('set-cpu-limit', { namespace, workload, container, limit });

describe('set-cpu-limit, through the real client against the sandbox', () => {
  let h: Harness;
  const start = async (options: HarnessOptions = {}) => {
    h = await startHarness({ ...options, objects: [SEARCH] });
  };
  afterEach(async () => {
    await h?.close();
  });
  const containers = () => h.stored('apps/v1', 'Deployment', 'search', 'api').spec.template.spec.containers;
  const kubectlResources = async () => {
    const { stdout } = await run('kubectl', [
      `--server=${h.cluster.sandbox.url}`,
      '-n',
      'search',
      'get',
      'deployment',
      'api',
      '-o',
      'jsonpath={.spec.template.spec.containers[?(@.name=="search-api")].resources}',
    ]);
    return JSON.parse(stdout);
  };

  it('dry-runs with a diff and changes nothing, then raises only that container’s CPU limit', async () => {
    await start();
    const proposed = cpuAction('1');
    const prepared = await h.remediation.prepare(proposed);
    if (!prepared.ok) throw new Error(prepared.reason);
    expect(prepared.diff).toEqual([
      { field: 'spec.template.spec.containers[search-api].resources.limits.cpu', before: '500m', after: '1' },
    ]);
    expect(h.cluster.sandbox.requests().count('PATCH', /deployments\/api$/)).toBe(1);
    expect(await kubectlResources()).toEqual({
      limits: { cpu: '500m', memory: '2Gi' },
      requests: { cpu: '250m', memory: '1Gi' },
    });

    const outcome = await h.remediation.execute(proposalFrom(proposed, prepared));
    expect(outcome).toMatchObject({ ok: true, message: 'CPU limit of search-api in Deployment/api set to 1' });
    expect(await kubectlResources()).toEqual({
      limits: { cpu: '1', memory: '2Gi' },
      requests: { cpu: '250m', memory: '1Gi' },
    });
    expect(containers()[1].resources).toEqual(SEARCH.spec.template.spec.containers[1]?.resources);
  });

  it('lowering the limit below the request lowers the request with it (request ≤ limit)', async () => {
    await start();
    const prepared = await h.remediation.prepare(cpuAction('200m'));
    if (!prepared.ok) throw new Error(prepared.reason);
    expect(prepared.diff).toEqual([
      { field: 'spec.template.spec.containers[search-api].resources.limits.cpu', before: '500m', after: '200m' },
      { field: 'spec.template.spec.containers[search-api].resources.requests.cpu', before: '250m', after: '200m' },
    ]);
    expect(prepared.notes.join(' ')).toMatch(
      /The CPU request \(250m\) is lowered to the new limit.*This lowers the limit/,
    );
    await h.remediation.execute(proposalFrom(cpuAction('200m'), prepared));
    expect(await kubectlResources()).toEqual({
      limits: { cpu: '200m', memory: '2Gi' },
      requests: { cpu: '200m', memory: '1Gi' },
    });
  });

  it('compares quantities by value: 1000m is the limit 1 already in effect', async () => {
    await start();
    await h.remediation.execute(proposalFrom(cpuAction('1'), await h.remediation.prepare(cpuAction('1'))));
    expect(await h.remediation.prepare(cpuAction('1000m'))).toEqual({
      ok: false,
      reason: 'container search-api of Deployment/api already has a 1 CPU limit',
    });
  });

  it('refuses bad parameters naming the field, and a container that does not exist, changing nothing', async () => {
    await start();
    for (const limit of ['1.5Gi', 'lots', '-1', '']) {
      const prepared = await h.remediation.prepare(cpuAction(limit));
      expect(prepared.ok, limit).toBe(false);
      if (!prepared.ok) expect(prepared.reason).toMatch(/params\.limit must be a CPU quantity like 2 or 1500m/);
    }
    expect(await h.remediation.prepare(cpuAction('0m'))).toMatchObject({
      ok: false,
      reason: 'CPU limit "0m" must be above zero',
    });
    expect(await h.remediation.prepare(cpuAction('2', 'sidecar'))).toMatchObject({
      ok: false,
      reason: 'Deployment/api has no container named "sidecar" (it has: search-api, envoy)',
    });
    expect(h.cluster.sandbox.requests().count('PATCH', /deployments/)).toBe(0);
    expect(containers()[0].resources.limits.cpu).toBe('500m');
  });

  it('follows the guard rails: kube-system denied, kinds from medic.yaml', async () => {
    await start({ settings: { remediation: { kinds: ['set-memory-limit'] } } });
    expect(await h.remediation.prepare(cpuAction('2'))).toMatchObject({ ok: false, rail: 'remediation.kinds' });
    await h.close();
    await start();
    expect(await h.remediation.prepare(cpuAction('2', 'coredns', 'kube-system', 'Deployment/coredns'))).toMatchObject({
      ok: false,
      rail: 'remediation.denyNamespaces',
    });
  });

  it('a limit changed by hand after the proposal makes it stale, and nothing is changed', async () => {
    await start();
    const proposal = proposalFrom(cpuAction('1'), await h.remediation.prepare(cpuAction('1')));
    await run('kubectl', [
      `--server=${h.cluster.sandbox.url}`,
      '-n',
      'search',
      'patch',
      'deployment',
      'api',
      '--type=strategic',
      '-p',
      JSON.stringify({
        spec: { template: { spec: { containers: [{ name: 'search-api', resources: { limits: { cpu: '750m' } } }] } } },
      }),
    ]);
    const error = await h.remediation.execute(proposal).catch((e: unknown) => e as { code: string; message: string });
    expect(error).toMatchObject({ code: 'PROPOSAL_STALE' });
    expect(error.message).toMatch(/limits\.cpu was 500m, now 750m/);
    expect(containers()[0].resources.limits.cpu).toBe('750m');
  });

  it('is audited when proposed (after its dry run) and when executed, with who, what and the outcome', async () => {
    await start();
    const proposals = createProposalStore(h.redis, h.prefix);
    const audit = createAuditLog(h.redis, h.prefix);
    const now = () => Date.now();
    const created = await createProposals(
      [cpuAction('1')],
      { type: 'diagnosis', fingerprint: 'fa8ad1a5ce467aaa', playbook: 'cpu-throttling', rootCause: 'CPU_THROTTLING' },
      {},
      { proposals, remediation: h.remediation, audit, ttlMs: 3_600_000, now },
    );
    const [proposal] = created.proposals;
    if (!proposal) throw new Error(JSON.stringify(created.unavailable));
    await proposals.transition(proposal.id, ['proposed'], 'approved', { approvedBy: 'U0APPROVER' }, { now: now() });
    const processAction = createActionRunner({
      proposals,
      audit,
      remediation: h.remediation,
      rerenderProposal: async () => {},
      now,
    });
    await processAction(
      { proposalId: proposal.id },
      {
        jobId: proposal.id,
        attempt: 1,
        firstStart: true,
        maxAttempts: 3,
        signal: new AbortController().signal,
        logger: silentLogger,
      },
    );
    const [executed, proposed] = await audit.recent(2);
    expect(proposed).toMatchObject({
      action: 'propose',
      actor: 'medic',
      kind: 'set-cpu-limit',
      target: 'search/Deployment/api',
    });
    expect(executed).toMatchObject({
      action: 'execute',
      actor: 'U0APPROVER',
      kind: 'set-cpu-limit',
      outcome: 'done',
      detail: 'CPU limit of search-api in Deployment/api set to 1',
    });
    expect((await proposals.get(proposal.id))?.state).toBe('done');
    expect((await kubectlResources()).limits.cpu).toBe('1');
  });
});
