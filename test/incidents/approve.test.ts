/**
 * The approval policy (src/incidents/approve.ts) on real Redis stores: who may approve, the one namespace rule
 * (globs, as the dry run's rails use), self-approval, expiry, and "runs once" however many clicks.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/settings.js';
import { type ApprovalDeps, approveProposal } from '../../src/incidents/approve.js';
import { createApproverCheck } from '../../src/incidents/approvers.js';
import { createAuditLog } from '../../src/store/audit.js';
import { createProposalStore, type ProposalRecord } from '../../src/store/proposals.js';
import { connect, deleteKeysUnder, silentLogger, uniquePrefix } from '../support/redis.js';

const redis = connect('store');
afterAll(() => redis.quit());

const NOW = Date.parse('2026-12-06T03:00:00Z');
let prefix: string;
let enqueued: string[];

beforeEach(() => {
  prefix = uniquePrefix('approve');
  enqueued = [];
});
afterEach(() => deleteKeysUnder(prefix));

function deps(settings: Record<string, unknown> = {}): ApprovalDeps {
  const parsed = settingsSchema.parse({ approvers: ['UAPPROVER', 'UOTHER'], ...settings });
  return {
    proposals: createProposalStore(redis, prefix),
    audit: createAuditLog(redis, prefix),
    approvers: createApproverCheck({
      approvers: parsed.approvers,
      listGroupMembers: async () => [],
      logger: silentLogger,
    }),
    settings: parsed,
    // As the actions queue does: the job id is the proposal id, so a second add of the same id is a no-op.
    enqueueAction: async (id) => {
      if (enqueued.includes(id)) return { enqueued: false };
      enqueued.push(id);
      return { enqueued: true };
    },
    rerenderProposal: async () => {},
    logger: silentLogger,
    now: () => NOW,
  };
}

async function propose(d: ApprovalDeps, overrides: Partial<ProposalRecord> = {}): Promise<ProposalRecord> {
  const proposal: ProposalRecord = {
    id: d.proposals.newId(),
    kind: 'set-memory-limit',
    title: 'Raise api memory limit 256Mi → 512Mi on Deployment/api',
    params: { namespace: 'ads-web', workload: 'Deployment/api', container: 'api', limit: '512Mi' },
    risk: 'low',
    diff: [],
    origin: { type: 'diagnosis', fingerprint: 'f00d', playbook: 'oom-killed', rootCause: 'OOM_LIMIT' },
    createdAt: NOW - 60_000,
    expiresAt: NOW + 3_600_000,
    state: 'proposed',
    ...overrides,
  };
  await d.proposals.create(proposal);
  return proposal;
}

describe('approveProposal', () => {
  it('approves a namespace matched by a glob in remediation.namespaces; a second click changes nothing and queues no second job', async () => {
    const d = deps({ remediation: { namespaces: ['ads-*'] } });
    const p = await propose(d);
    const first = await approveProposal({ proposalId: p.id, userId: 'UAPPROVER' }, d);
    const second = await approveProposal({ proposalId: p.id, userId: 'UOTHER' }, d);
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, reason: 'already' });
    expect(enqueued).toEqual([p.id]);
    expect((await d.proposals.get(p.id))?.approvedBy).toBe('UAPPROVER');
  });

  it('refuses a namespace outside the globs and one in denyNamespaces, and changes nothing', async () => {
    const d = deps({ remediation: { namespaces: ['ads-*'], denyNamespaces: ['ads-secret'] } });
    for (const namespace of ['payments', 'ads-secret']) {
      const p = await propose(d, { params: { namespace, workload: 'Deployment/api', container: 'api', limit: '1Gi' } });
      const decision = await approveProposal({ proposalId: p.id, userId: 'UAPPROVER' }, d);
      expect(decision, namespace).toMatchObject({ ok: false, reason: 'namespace' });
      expect((await d.proposals.get(p.id))?.state).toBe('proposed');
    }
    expect(enqueued).toEqual([]);
  });

  it('refuses someone outside the approvers, an expired proposal and an unknown id', async () => {
    const d = deps();
    const open = await propose(d);
    const expired = await propose(d, { expiresAt: NOW - 1 });
    expect(await approveProposal({ proposalId: open.id, userId: 'UINTRUDER' }, d)).toMatchObject({
      ok: false,
      reason: 'not-approver',
    });
    expect(await approveProposal({ proposalId: expired.id, userId: 'UAPPROVER' }, d)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(await approveProposal({ proposalId: 'no-such-proposal', userId: 'UAPPROVER' }, d)).toMatchObject({
      ok: false,
      reason: 'unknown',
    });
    expect(enqueued).toEqual([]);
  });

  it("refuses a proposer's own /scale unless selfApproval lists the kind", async () => {
    const origin = { type: 'user' as const, userId: 'UAPPROVER', command: '/scale api 4 -n ads-web' };
    const params = { namespace: 'ads-web', workload: 'Deployment/api', replicas: 4 };
    const strict = deps();
    const own = await propose(strict, { kind: 'scale', params, origin });
    expect(await approveProposal({ proposalId: own.id, userId: 'UAPPROVER' }, strict)).toMatchObject({
      ok: false,
      reason: 'self-approval',
    });
    const lenient = deps({ selfApproval: ['scale'] });
    const allowed = await propose(lenient, { kind: 'scale', params, origin });
    expect((await approveProposal({ proposalId: allowed.id, userId: 'UAPPROVER' }, lenient)).ok).toBe(true);
  });
});
