/**
 * Approvals with several clusters (src/incidents/approve.ts with a policy per cluster, as src/wiring.ts builds it):
 * a cluster's own approvers and remediation namespaces hold for its proposals, and a proposal for a cluster Medic
 * no longer serves is refused — each refusal changes nothing and is audited.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClusterRegistry, settingsForCluster } from '../../src/clusters/registry.js';
import { parseSettings } from '../../src/config/load.js';
import { type ApprovalDeps, approveProposal } from '../../src/incidents/approve.js';
import { createApproverCheck } from '../../src/incidents/approvers.js';
import { createAuditLog } from '../../src/store/audit.js';
import { createProposalStore, type ProposalRecord } from '../../src/store/proposals.js';
import { connect, deleteKeysUnder, silentLogger, uniquePrefix } from '../support/redis.js';

const redis = connect('store');
afterAll(() => redis.quit());

const settings = parseSettings(
  [
    'approvers: [UGLOBAL]',
    'clusters:',
    '  - {name: prod-eu, approvers: [UPROD], remediation: {namespaces: ["shop-*"]}}',
    '  - {name: staging}',
  ].join('\n'),
  'medic.yaml',
);
const NOW = Date.parse('2026-12-06T03:00:00Z');
let prefix: string;
let enqueued: string[];

beforeEach(() => {
  prefix = uniquePrefix('cluster-approve');
  enqueued = [];
});
afterEach(() => deleteKeysUnder(prefix));

function deps(): ApprovalDeps {
  const check = (approvers: string[]) =>
    createApproverCheck({ approvers, listGroupMembers: async () => [], logger: silentLogger });
  const clusters = createClusterRegistry(
    settings,
    (settings.clusters ?? []).map((c) => ({ name: c.name, settings: settingsForCluster(settings, c) })),
  );
  return {
    proposals: createProposalStore(redis, prefix),
    audit: createAuditLog(redis, prefix),
    approvers: check(settings.approvers),
    settings,
    policyFor: (p) => {
      const cluster = clusters.forProposal(p);
      return cluster ? { approvers: check(cluster.settings.approvers), settings: cluster.settings } : null;
    },
    enqueueAction: async (id) => {
      enqueued.push(id);
      return { enqueued: true };
    },
    rerenderProposal: async () => {},
    logger: silentLogger,
    now: () => NOW,
  };
}

async function propose(d: ApprovalDeps, cluster: string, namespace: string): Promise<ProposalRecord> {
  const proposal: ProposalRecord = {
    id: d.proposals.newId(),
    cluster,
    kind: 'scale',
    title: 'Scale Deployment/api from 2 to 4',
    params: { namespace, workload: 'Deployment/api', replicas: 4 },
    risk: 'medium',
    diff: [],
    origin: { type: 'user', userId: 'UONCALL', command: '/scale api 4' },
    createdAt: NOW - 60_000,
    expiresAt: NOW + 3_600_000,
    state: 'proposed',
  };
  await d.proposals.create(proposal);
  return proposal;
}

describe('approvals per cluster', () => {
  it("takes each cluster's approvers: prod-eu's own list, staging the global one", async () => {
    const d = deps();
    const prod = await propose(d, 'prod-eu', 'shop-web');
    const staging = await propose(d, 'staging', 'shop-web');
    expect(await approveProposal({ proposalId: prod.id, userId: 'UGLOBAL' }, d)).toMatchObject({
      ok: false,
      reason: 'not-approver',
      message: 'Only approvers listed in medic.yaml for cluster prod-eu can approve this; nothing was done.',
    });
    expect(await approveProposal({ proposalId: staging.id, userId: 'UPROD' }, d)).toMatchObject({
      ok: false,
      reason: 'not-approver',
    });
    expect((await approveProposal({ proposalId: prod.id, userId: 'UPROD' }, d)).ok).toBe(true);
    expect((await approveProposal({ proposalId: staging.id, userId: 'UGLOBAL' }, d)).ok).toBe(true);
    expect(enqueued).toEqual([prod.id, staging.id]);
  });

  it("holds a cluster's remediation.namespaces at approval, not the other cluster's", async () => {
    const d = deps();
    const prod = await propose(d, 'prod-eu', 'ads');
    const staging = await propose(d, 'staging', 'ads');
    expect(await approveProposal({ proposalId: prod.id, userId: 'UPROD' }, d)).toMatchObject({
      ok: false,
      reason: 'namespace',
      message:
        'Medic may not act in namespace ads for cluster prod-eu (medic.yaml remediation.namespaces); nothing was done.',
    });
    expect((await approveProposal({ proposalId: staging.id, userId: 'UGLOBAL' }, d)).ok).toBe(true);
    expect(enqueued).toEqual([staging.id]);
    expect((await d.proposals.get(prod.id))?.state).toBe('proposed');
  });

  it('refuses a proposal for a cluster Medic does not serve, and audits the refusal', async () => {
    const d = deps();
    const gone = await propose(d, 'qa', 'shop-web');
    expect(await approveProposal({ proposalId: gone.id, userId: 'UGLOBAL' }, d)).toMatchObject({
      ok: false,
      reason: 'cluster',
      message: 'This proposal is for cluster qa, which Medic is not configured for; nothing was done.',
    });
    expect(enqueued).toEqual([]);
    const [entry] = await d.audit.recent(1);
    expect(entry).toMatchObject({ outcome: 'refused:cluster', target: 'qa · shop-web/Deployment/api' });
  });
});
