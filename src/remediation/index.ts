/**
 * Remediation: turns an approved proposal into exactly the change that was shown, or refuses loudly.
 * `prepare` runs when a diagnosis or /scale proposes an action (a failure there means no button);
 * `execute` runs in the actions worker after approval and re-checks everything first.
 */
import { createSilenceClient } from '../alertmanager/silences.js';
import type { Settings } from '../config/settings.js';
import { errorMessage, isMedicError, MedicError } from '../errors.js';
import type { ClusterWriter } from '../kube/writer.js';
import type { Logger } from '../logger.js';
import { createExecutionCounter, createExecutionLock, type ExecutionCounter } from '../store/executions.js';
import type { Redis } from '../store/redis.js';
import type { DiffLine, GitOpsNote, Outcome, Precondition, Proposal, ProposedAction } from '../types.js';
import { ACTION_PARAMS, type ActionKind, isActionKind } from '../vocabulary.js';
import { firstIssue } from '../zod-issue.js';
import { ACTION_HANDLERS } from './actions/index.js';
import { AlreadyInEffect, railRefusal } from './errors.js';
import { checkGitOpsRail, checkScopeRails, gitOpsRefusal, gitOpsVerdict } from './rails.js';
import { createSharedPrepare } from './shared-prepare.js';
import type { ActionContext, ActionHandler, Plan } from './types.js';

export type PreparedAction =
  | { ok: true; diff: DiffLine[]; precondition?: Precondition; notes: string[]; gitops?: GitOpsNote }
  | { ok: false; reason: string; rail?: string; gitops?: GitOpsNote };

export interface Remediation {
  /**
   * Validates params (ACTION_PARAMS), checks namespace/kind allow-lists and guard rails, dry-runs (dryRun=All)
   * on the API server, computes the diff (before → after) and the precondition to re-check, and applies medic.yaml
   * `managedBy` to the objects the change lands in (`gitops`: the owner and the change to commit; a `refuse`
   * owner makes it `ok: false`). Never throws: every failure (including a transient one) is `ok: false` with the reason.
   * `cluster` says which configured cluster the action is for (src/clusters routes it); one cluster's remediation
   * ignores it.
   */
  prepare(action: ProposedAction, signal?: AbortSignal, cluster?: string): Promise<PreparedAction>;
  /**
   * Re-checks the precondition (object unchanged since the proposal), allow-lists and guard rails (incl. the
   * circuit breaker and the `managedBy` owner of the objects as they are now), applies, and returns what changed. Throws MedicError: `permanent` for a refused API call
   * (src/kube/errors.ts: forbidden, not found, invalid), a stale proposal and guard-rail refusals (code
   * GUARD_RAIL, `field` = the rail); not permanent for 5xx, 429, timeouts and unreachable APIs, so the queue
   * retries with backoff.
   */
  execute(proposal: Proposal, signal?: AbortSignal): Promise<Outcome>;
  /**
   * Whether a change that ran is still in place, for the check after it: the lines of `proposal.diff` whose field
   * is back to exactly the value it had before (a GitOps sync or a person undid it). Empty when the change holds;
   * null when this kind's change is not one a sync puts back (restart, pod deletion, cordon, silence) or the
   * cluster cannot tell now. Never throws.
   */
  undone(proposal: Proposal, signal?: AbortSignal): Promise<DiffLine[] | null>;
}

/** Remediation as the incident services use it; `undone` (for the check after a fix) is optional in test doubles. */
export type RemediationService = Pick<Remediation, 'prepare' | 'execute'> & Partial<Pick<Remediation, 'undone'>>;

export interface RemediationDeps {
  writer: ClusterWriter;
  settings: Settings;
  redis: Redis;
  keyPrefix: string;
  alertmanagerUrl?: string | undefined;
  logger: Logger;
  now?: () => number;
  /**
   * The configured cluster this remediation acts on (medic.yaml `clusters`): its circuit-breaker counts and
   * locks are its own. Absent with one unnamed cluster (the keys are then as they always were).
   */
  cluster?: string | undefined;
  /** How long a dry run of an identical action is shared (./shared-prepare.ts); default 10 s, 0 = joined only. */
  prepareShareMs?: number;
}

/** Circuit-breaker bucket for cluster-scoped actions (cordon, silences without a namespace matcher). */
const CLUSTER_SCOPE = '_cluster';
const LOCK_WAIT_MS = 10_000;
/** How a dry run's temporary failure ends its reason (not reused once it arrived: the next alert tries again). */
const TEMPORARY = ' (temporary failure; try again)';
const LOCK_TTL_MS = 60_000;

interface Resolved {
  handler: ActionHandler<ActionKind>;
  params: never;
  namespace: string | undefined;
}

function resolve(kind: string, rawParams: unknown): Resolved {
  if (!isActionKind(kind)) throw new MedicError('BAD_REQUEST', `unknown action kind "${kind}"`, { permanent: true });
  const parsed = ACTION_PARAMS[kind].safeParse(rawParams);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error, { under: 'params' });
    throw new MedicError('BAD_REQUEST', `invalid ${kind} action: ${field} ${message}`, {
      field,
      permanent: true,
    });
  }
  // The handler for `kind` takes exactly the params ACTION_PARAMS[kind] produced.
  const handler = ACTION_HANDLERS[kind] as unknown as ActionHandler<ActionKind>;
  const params = parsed.data as never;
  return { handler, params, namespace: handler.namespaceOf(params) };
}

/**
 * Compares what the proposal saw with what the cluster says now; the first difference makes it stale. A field
 * already at the value the proposal's diff sets (`ownChanges`, on a retry) is this proposal's own doing.
 */
function findStaleness(
  expected: Precondition,
  actual: Precondition | undefined,
  ownChanges: DiffLine[],
): string | undefined {
  const what = `${expected.kind} ${expected.namespace ? `${expected.namespace}/` : ''}${expected.name}`;
  if (!actual || actual.kind !== expected.kind || actual.name !== expected.name)
    return `${what} is no longer the target`;
  if (expected.resourceVersion !== undefined && expected.resourceVersion !== actual.resourceVersion) {
    return `${what} changed since the proposal (resourceVersion ${expected.resourceVersion} → ${actual.resourceVersion})`;
  }
  for (const [field, value] of Object.entries(expected.fields ?? {})) {
    const now = actual.fields?.[field];
    if (now === value || ownChanges.some((line) => line.field === field && line.after === now)) continue;
    return `${what} changed since the proposal: ${field} was ${value}, now ${now ?? '(gone)'}`;
  }
  return undefined;
}

export function createRemediation(deps: RemediationDeps): Remediation {
  const now = deps.now ?? Date.now;
  const counter: ExecutionCounter = createExecutionCounter(deps.redis, deps.keyPrefix);
  const lock = createExecutionLock(deps.redis, deps.keyPrefix);
  const silences = deps.alertmanagerUrl ? createSilenceClient(deps.alertmanagerUrl) : undefined;
  const limit = () => deps.settings.remediation.maxExecutionsPerHour;
  // Counts and locks are per cluster: a namespace `ads` in two clusters is two namespaces.
  const keyed = (name: string) => (deps.cluster ? `${deps.cluster}/${name}` : name);
  /**
   * A dry run plans on the answers a diagnosis just read (the writer's shared reads, at most 2 s old);
   * execution and the check after it plan on the cluster as it is now: they pass `deps.writer` itself.
   */
  const context = (writer: ClusterWriter, signal: AbortSignal | undefined, proposal?: Proposal): ActionContext => ({
    writer,
    settings: deps.settings,
    silences,
    now,
    signal,
    ...(proposal ? { proposal: { id: proposal.id, title: proposal.title } } : {}),
  });
  const breakerRefusal = (bucket: string, count: number) =>
    railRefusal(
      'remediation.maxExecutionsPerHour',
      `${count} remediation(s) already ran in ${bucket === keyed(CLUSTER_SCOPE) ? 'cluster scope' : `namespace ${bucket}`} in the last hour (limit ${limit()})`,
    );

  const remediation: Remediation = {
    async prepare(action, signal) {
      const log = deps.logger.child({ action: action.kind });
      try {
        const { handler, params, namespace } = resolve(action.kind, action.params);
        checkScopeRails(deps.settings, handler.kind, namespace);
        const bucket = keyed(namespace ?? CLUSTER_SCOPE);
        const count = await counter.count(bucket, now());
        if (count >= limit()) throw breakerRefusal(bucket, count);
        const plan: Plan = await handler.plan(context(deps.writer.withSharedReads(), signal), params);
        await plan.apply(true);
        // After the dry run: the change to commit instead of a refused patch is one the API server accepts.
        const gitops = gitOpsVerdict(deps.settings.managedBy, plan.edits);
        if (gitops?.note.policy === 'refuse') {
          return { ok: false, reason: gitOpsRefusal(gitops).message, rail: gitops.rail, gitops: gitops.note };
        }
        return {
          ok: true,
          diff: plan.diff,
          notes: plan.notes,
          ...(plan.precondition ? { precondition: plan.precondition } : {}),
          ...(gitops ? { gitops: gitops.note } : {}),
        };
      } catch (error) {
        if (!isMedicError(error)) log.warn({ err: error }, 'remediation prepare failed unexpectedly');
        const transient = isMedicError(error) && !error.permanent;
        const reason = `${errorMessage(error)}${transient ? TEMPORARY : ''}`;
        if (isMedicError(error) && error.code === 'GUARD_RAIL' && error.field) {
          return { ok: false, reason, rail: error.field };
        }
        return { ok: false, reason };
      }
    },

    async execute(proposal, signal) {
      const log = deps.logger.child({ proposalId: proposal.id, kind: proposal.kind });
      // Expiry is the approval's business (src/approvals): an approved job retried after the TTL must still run.
      const { handler, params, namespace } = resolve(proposal.kind, proposal.params);
      checkScopeRails(deps.settings, handler.kind, namespace);
      const bucket = keyed(namespace ?? CLUSTER_SCOPE);
      // Recorded means an earlier attempt of this job reached the cluster: its change may already be in effect.
      const isRetry = await counter.has(bucket, proposal.id);
      const count = await counter.count(bucket, now());
      if (count >= limit() && !isRetry) throw breakerRefusal(bucket, count);
      const checkAndApply = async (): Promise<Outcome> => {
        let plan: Plan;
        try {
          plan = await handler.plan(context(deps.writer, signal, proposal), params);
        } catch (error) {
          if (!(isRetry && error instanceof AlreadyInEffect)) throw error;
          log.info({ reason: error.message }, 'remediation already applied by an earlier attempt');
          return {
            ok: true,
            message: `${error.message} (applied by an earlier attempt)`,
            changes: proposal.diff,
            finishedAt: now(),
          };
        }
        checkGitOpsRail(deps.settings, plan.edits);
        if (proposal.precondition) {
          const stale = findStaleness(proposal.precondition, plan.precondition, isRetry ? proposal.diff : []);
          if (stale) {
            const tail = isRetry
              ? 'an earlier attempt may have applied part of it — check before proposing again'
              : 'nothing was changed — ask Medic for a new proposal';
            throw new MedicError('PROPOSAL_STALE', `${stale}; ${tail}`, { permanent: true });
          }
        }
        // Counted and recorded in one step: concurrent workers cannot overshoot the limit between check and apply.
        const verdict = await counter.record(bucket, proposal.id, limit(), now());
        if (!verdict.allowed) throw breakerRefusal(bucket, verdict.count);
        const message = await plan.apply(false);
        log.info({ changes: plan.diff }, 'remediation applied');
        return { ok: true, message, changes: plan.diff, finishedAt: now() };
      };
      if (!handler.exclusive) return checkAndApply();
      return lock.run(keyed(handler.exclusive), checkAndApply, {
        waitMs: LOCK_WAIT_MS,
        ttlMs: LOCK_TTL_MS,
        onBusy: () => new MedicError('UNAVAILABLE', `another ${handler.kind} is being applied; retrying shortly`),
      });
    },

    async undone(proposal, signal) {
      try {
        const { handler, params } = resolve(proposal.kind, proposal.params);
        // Planned again against the cluster as it is now: a change in place has nothing left to do.
        const plan = await handler.plan(context(deps.writer, signal, proposal), params);
        if (!plan.edits) return null;
        const same = (a: DiffLine, b: DiffLine) => a.field === b.field && a.before === b.before && a.after === b.after;
        return plan.diff.filter((line) => proposal.diff.some((shown) => same(line, shown)));
      } catch (error) {
        if (error instanceof AlreadyInEffect) return [];
        deps.logger.debug({ err: error, proposalId: proposal.id }, 'cannot tell whether the change is still in place');
        return null;
      }
    },
  };
  const shared = createSharedPrepare<PreparedAction>({
    windowMs: deps.prepareShareMs ?? 10_000,
    now,
    isReusable: (prepared) => prepared.ok || !prepared.reason.endsWith(TEMPORARY),
  });
  return { ...remediation, prepare: (action, signal) => shared(action, () => remediation.prepare(action, signal)) };
}
