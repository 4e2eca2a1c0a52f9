/**
 * Brings a thread's Slack messages in line with its state in Redis. One sync per thread at a time (a Redis
 * lock, across replicas); posts happen at once and in order (parent, then one reply per (root cause,
 * workload) pair in order of appearance), and so does the edit of a reply someone just clicked. Other edits
 * wait for the thread's non-urgent pass, debounced across replicas (src/slack/sync-scheduler.ts: quiet for 1 s,
 * 5 s at most, within a per-thread budget): the pass edits EVERY changed message, in thread order, four at a
 * time, so it shows every change recorded before it started — but while a storm goes on (the pass is due for
 * age, not quiet, or alerts still wait for a worker), a reply whose affected-alerts list alone changed waits up to
 * LIST_EDIT_MAX_WAITS max waits, and the settle pass shows it; a sync that finds the pass not due yet leaves those
 * edits to the delayed sync claimed for it. A sync that fails (Slack down) is retried by the queue and resumes
 * where it stopped: every post is recorded before the next Slack call, every edit before the next batch of edits
 * (the last one with the lock's release), and a pass that did not finish gives its changes back. `syncNow` is the same sync run once inside the job that asked for it (a new reply).
 *
 * A queued sync waits for a thread busy with a writer instead of bouncing off it: in this process, every sync
 * asked for while a writer runs joins ONE follow-up that starts when the writer finishes and reads the state
 * then (so it covers every change recorded before it started); a writer in another replica (the Redis lock) is
 * waited for with a short backoff, up to LOCK_WAIT_MS (then the queue retries, as when that writer died holding
 * the lock). The in-job attempt never waits: it hands over to a queued sync.
 * Over 300 lines because the lock, the posts in order and the debounced edits share one sync's state (the posted
 * ts map, the lock) and must stay in one place to keep their ordering guarantees; rendering lives in render/.
 */
import { createHash } from 'node:crypto';
import { WebClient, WebClientEvent } from '@slack/web-api';
import { silenceLabels } from '../diagnosis/named-target.js';
import { MedicError } from '../errors.js';
import type { GroupSilence } from '../incidents/silence-decisions.js';
import type { Logger } from '../logger.js';
import type { ProposalStore } from '../store/proposals.js';
import type { MessageWrite, PostedMessage, ThreadSnapshot, ThreadStore } from '../store/threads.js';
import type { Diagnosis, Proposal } from '../types.js';
import { DEFAULT_SLACK_TIMEOUT_MS, toSlackLogger } from './client.js';
import { createHttpFetch } from './http-fetch.js';
import { renderDiagnosis, withoutAffectedList } from './render/diagnosis.js';
import { groupLinks, safeLink, silenceUrl } from './render/links.js';
import { renderParent } from './render/parent.js';
import { createSettleWatch } from './settle-watch.js';
import type { SyncScheduler } from './sync-scheduler.js';
import { loadThreadProposals, renderVerificationReplies, verificationReplyName } from './thread-verifications.js';

export interface ThreadSyncDeps {
  client: WebClient;
  threads: ThreadStore;
  proposals: ProposalStore;
  scheduler: SyncScheduler;
  logger: Logger;
  /** The memory chart for an OOM diagnosis (src/charts), attached to the thread after its reply; optional. */
  memoryChart?: (diagnosis: Diagnosis) => Promise<{ filename: string; png: Buffer; title: string } | null>;
  now?: () => number;
  /** The client for syncNow; default: `client`'s token and URL with no retries and rate limits rejected. */
  syncNowClient?: WebClient;
  /** How long one Slack call of the in-job attempt may take; default DEFAULT_SLACK_TIMEOUT_MS. */
  syncNowTimeoutMs?: number;
  /** The group's silence, shown in the parent (src/incidents/silence-follow.ts); absent without ALERTMANAGER_URL. */
  silenceOf?: (groupKey: string) => Promise<GroupSilence | null>;
  /**
   * How many alerts wait to be diagnosed (MedicQueues.alertsWaiting): while some do, a storm is still coming in
   * and a thread quiet for a moment has not settled. Absent: a quiet thread has.
   */
  alertsWaiting?: () => Promise<number>;
}

export interface SyncOptions {
  /** Edit this pair's reply now, whatever the debounce says (someone just clicked its button). */
  urgentPair?: string;
}

/** What one sync edits: the urgent pairs, or with `pass` every changed message; `claimed`: a delayed sync is queued. */
interface Edits {
  urgentPairs: Set<string>;
  pass: boolean;
  /** The pass found the thread quiet since its last change (StartedSync.quiet). */
  quiet: boolean;
  /** ...and no alert waiting to be diagnosed: the storm, if any, is over. */
  settled: boolean;
  claimed: boolean;
}

/** A sync of one thread that this process runs or will run next: its pairs to edit now, and its outcome. */
interface Slot {
  client: WebClient;
  /** Whether it waits for another replica's writer (a queued sync) or fails at once (the in-job attempt). */
  waits: boolean;
  urgentPairs: Set<string>;
  done: Promise<void>;
}

/** The thread's running sync in this process, and the one follow-up that every later request joins. */
interface Writer {
  current: Slot;
  next?: Slot;
}

/** One sync: its thread, its Slack client, and the messages it posted or edited not yet recorded (see `record`). */
interface Run {
  threadId: string;
  client: WebClient;
  /** Whether a write of this sync has refreshed the messages key's TTL yet. */
  touched: boolean;
  pending: MessageWrite[];
}

interface Rendered {
  name: string;
  text: string;
  blocks: unknown[];
  metadata?: unknown;
  hash: string;
  /** A reply's hash without its affected-alerts list (withoutAffectedList). */
  listFree?: string;
  /** The proposals whose buttons this message shows (they learn its ts once it is posted). */
  proposalIds?: string[];
}

/** How long a thread lock outlives a writer that died; a live writer renews it every third of this. */
const LOCK_TTL_MS = 60_000;
/**
 * How long a queued sync waits for another replica's writer before it gives up and the queue retries it with
 * backoff (a writer that died holds the lock up to LOCK_TTL_MS). A live writer is done in well under this, and
 * it stays inside the workers' shutdown grace (src/queue/workers.ts).
 */
const LOCK_WAIT_MS = 15_000;
const LOCK_POLL_MS = { first: 20, max: 250 };
/**
 * A pass's edits are independent (each message's ts is known): up to this many are sent at once, so a storm's
 * settle, every thread's pass at about the same moment, is not one round trip per message per thread.
 */
const EDITS_AT_ONCE = 4;
/**
 * While a storm keeps changing a thread, a reply whose affected-alerts list alone changed (alerts joined it or
 * resolved; its root cause, evidence and buttons as shown) is edited at most once per this many max waits; the
 * thread's settle pass shows every list. The parent's counts keep the max wait's pace. A 50,000-alert storm made
 * ~8.6 edits per reply, most of them a longer list, against Slack's per-method rate limits.
 */
const LIST_EDIT_MAX_WAITS = 4;

const busy = (threadId: string) => new MedicError('CONFLICT', `thread ${threadId} is being synced elsewhere; retrying`);

const hashOf = (value: unknown) => createHash('sha1').update(JSON.stringify(value)).digest('hex');

function renderAll(
  snap: ThreadSnapshot,
  proposals: Map<string, Proposal>,
  now: number,
  silence: GroupSilence | null = null,
): Rendered[] {
  const meta = snap.meta;
  if (!meta) return [];
  const firing = snap.alerts.filter((a) => a.status === 'firing').length;
  const parent = renderParent({
    alertname: meta.alertname,
    namespace: meta.namespace,
    cluster: meta.cluster,
    severity: meta.severity,
    firing,
    resolved: snap.alerts.length - firing,
    groupLabels: meta.groupLabels,
    alertmanagerURL: safeLink(meta.externalURL),
    links: groupLinks(snap.alerts, meta),
    silence,
  });
  const out: Rendered[] = [{ name: 'parent', ...parent, hash: hashOf(parent) }];
  for (const pair of snap.pairs) {
    const members = snap.alerts.filter((a) => snap.alertPairs[a.fingerprint] === pair.key);
    const first = members.find((a) => a.fingerprint === pair.diagnosis.alert.fingerprint) ?? members[0];
    const view = {
      diagnosis: pair.diagnosis,
      proposals: pair.proposalIds.map((id) => proposals.get(id)).filter((p): p is Proposal => p !== undefined),
      unavailable: pair.unavailable,
      affected: members.map((a) => ({ fingerprint: a.fingerprint, label: a.label, status: a.status })),
      links: {
        generatorURL: safeLink(first?.generatorURL),
        silenceURL: first ? silenceUrl(meta.externalURL, silenceLabels(first.labels)) : undefined,
      },
      now,
    };
    const message = renderDiagnosis(view);
    out.push({
      name: pair.key,
      ...message,
      hash: stableHash(message),
      listFree: hashOf(withoutAffectedList(message)),
      proposalIds: pair.proposalIds,
    });
    for (const reply of renderVerificationReplies(pair.proposalIds, proposals, now)) {
      out.push({ ...reply, hash: stableHash(reply) });
    }
  }
  return out;
}

/** Whether the thread's every message is posted: the parent, each pair's reply, each check's reply (renderAll). */
function allPosted(snap: ThreadSnapshot, proposals: Map<string, Proposal>): boolean {
  const names = ['parent', ...snap.pairs.map((p) => p.key)];
  for (const p of proposals.values()) if (p.verification) names.push(verificationReplyName(p.id));
  return names.every((name) => snap.messages[name] !== undefined);
}

/** Expiry is rendered relative to now; hash the states, not the countdown, so time alone edits nothing. */
function stableHash(message: { blocks: unknown[] }): string {
  return hashOf({ ...message, blocks: message.blocks.map((b) => JSON.stringify(b).replace(/\|in \d+ min>/g, '')) });
}

export function createThreadSync(deps: ThreadSyncDeps) {
  const now = deps.now ?? Date.now;
  const settleWatch = createSettleWatch({
    alertsWaiting: deps.alertsWaiting,
    advanceClaim: deps.scheduler.advanceClaim,
    quietMs: deps.scheduler.timing.quietMs,
    logger: deps.logger,
    now,
  });

  async function post(
    run: Run,
    snap: ThreadSnapshot,
    message: Rendered,
    threadTs: string | undefined,
  ): Promise<PostedMessage> {
    const channel = snap.meta?.channel ?? '';
    await flush(run);
    const result = await run.client.chat.postMessage({
      channel,
      text: message.text,
      blocks: message.blocks as never,
      ...(message.metadata ? { metadata: message.metadata as never } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
    });
    const posted = { ts: result.ts as string, hash: message.hash, at: now(), listFree: message.listFree };
    record(run, message.name, posted);
    return posted;
  }

  /** Best effort, once, right after the reply: a chart that fails to upload is logged, never retried. */
  async function attachChart(snap: ThreadSnapshot, diagnosis: Diagnosis, threadTs: string): Promise<void> {
    const chart = await deps.memoryChart?.(diagnosis);
    if (!chart) return;
    try {
      await deps.client.filesUploadV2({
        channel_id: snap.meta?.channel ?? '',
        thread_ts: threadTs,
        file: chart.png,
        filename: chart.filename,
        title: chart.title,
      });
    } catch (error) {
      deps.logger.warn({ err: error, threadId: snap.id, file: chart.filename }, 'memory chart upload failed');
    }
  }

  /**
   * A posted or edited message is recorded before the next Slack call of the sync (`flush`: a batch of edits
   * together), or, the last one, with the lock's release in one round trip. A post is flushed before the next
   * post, so no more than one post is ever unrecorded, as when each post was recorded at once (an unrecorded edit
   * is only made again). The first write of a sync refreshes the messages key's TTL.
   */
  function record(run: Run, name: string, message: PostedMessage): void {
    run.pending.push({ name, message, touch: !run.touched });
    run.touched = true;
  }

  async function flush(run: Run): Promise<void> {
    const writes = run.pending.splice(0);
    await Promise.all(writes.map((w) => deps.threads.saveMessage(run.threadId, w.name, w.message, { touch: w.touch })));
  }

  /**
   * Edits `messages` (their ts in `posted`), EDITS_AT_ONCE at a time. Each edit that Slack took is recorded (the
   * last one with the lock's release); the first failure is thrown after its batch, and the retried sync edits
   * only what is still out of date.
   */
  async function updateAll(
    run: Run,
    snap: ThreadSnapshot,
    messages: Rendered[],
    posted: Record<string, PostedMessage>,
  ): Promise<void> {
    for (let i = 0; i < messages.length; i += EDITS_AT_ONCE) {
      await flush(run);
      const batch = messages.slice(i, i + EDITS_AT_ONCE);
      const results = await Promise.allSettled(
        batch.map((message) =>
          run.client.chat.update({
            channel: snap.meta?.channel ?? '',
            ts: posted[message.name]?.ts ?? '',
            text: message.text,
            blocks: message.blocks as never,
            ...(message.metadata ? { metadata: message.metadata as never } : {}),
          }),
        ),
      );
      for (const [j, result] of results.entries()) {
        const message = batch[j];
        if (result.status !== 'fulfilled' || !message) continue;
        const ts = posted[message.name]?.ts ?? '';
        record(run, message.name, { ts, hash: message.hash, at: now(), listFree: message.listFree });
      }
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  /** A reply whose list alone changed since its last write, less than LIST_EDIT_MAX_WAITS max waits ago. */
  function listEditWaits(message: Rendered, last: PostedMessage | undefined): boolean {
    if (message.listFree === undefined || last?.listFree !== message.listFree) return false;
    return now() - last.at < LIST_EDIT_MAX_WAITS * deps.scheduler.timing.maxWaitMs;
  }

  async function runOn(run: Run, snap: ThreadSnapshot, edits: Edits): Promise<void> {
    if (!snap.meta) return;
    const proposals = await loadThreadProposals(deps.proposals, snap);
    // Nothing to do for a sync that finds the pass not due yet (its claim will run it), nothing urgent, and every
    // message posted: it would render the whole thread to post and edit nothing. In a storm most delayed syncs
    // are such re-checks (the thread changed again within the quiet period).
    if (!edits.pass && edits.claimed && edits.urgentPairs.size === 0 && allPosted(snap, proposals)) return;
    const silence = (await deps.silenceOf?.(snap.meta.groupKey)) ?? null;
    const rendered = renderAll(snap, proposals, now(), silence);
    const posted = { ...snap.messages };

    for (const message of rendered) {
      if (posted[message.name]) continue;
      const parentTs = message.name === 'parent' ? undefined : posted.parent?.ts;
      posted[message.name] = await post(run, snap, message, parentTs);
      if (message.name !== 'parent') {
        const pair = snap.pairs.find((p) => p.key === message.name);
        if (pair && parentTs && deps.memoryChart) {
          await flush(run);
          await attachChart(snap, pair.diagnosis, parentTs);
        }
        await deps.proposals.setMessages(message.proposalIds ?? [], {
          channel: snap.meta.channel,
          ts: posted[message.name]?.ts ?? '',
          threadTs: parentTs,
        });
      }
    }

    // `rendered` is in thread order: the parent, then each reply as posted.
    const dirty = rendered.filter((m) => posted[m.name] && posted[m.name]?.hash !== m.hash);
    const toEdit = dirty.filter(
      (m) => edits.urgentPairs.has(m.name) || (edits.pass && (edits.settled || !listEditWaits(m, posted[m.name]))),
    );
    await updateAll(run, snap, toEdit, posted);
    // An edit left for later needs a delayed sync: the claimed one, or, when no change was recorded for it (a
    // new reply's alert also changes the parent's count), one claimed now as for any change — for lists a pass
    // due for age left, the settle a quiet period after the thread's last change. Lists a quiet thread's pass
    // left because alerts were coming: looked at again as soon as none are (./settle-watch.ts), a max wait on at
    // the latest (the claim outlives this process; the thread's own changes meanwhile find it and wait for it,
    // as for any pending claim: no longer than the max wait).
    if (toEdit.length < dirty.length && !edits.claimed) {
      const stormElsewhere = edits.pass && edits.quiet;
      const notBefore = stormElsewhere ? now() + deps.scheduler.timing.maxWaitMs : undefined;
      await deps.scheduler.requestSync(snap.id, { urgent: false, ...(notBefore ? { notBefore } : {}) });
      if (stormElsewhere) settleWatch.waitForCalm(snap.id, now());
    }
  }

  /**
   * Takes the thread's Redis lock. The fail-fast attempt (syncNow) does not wait for another replica's writer:
   * it says CONFLICT and its caller queues the sync. A queued sync waits, polling with a doubling pause.
   */
  async function takeLock(threadId: string, wait: boolean) {
    const deadline = now() + LOCK_WAIT_MS;
    let pause = LOCK_POLL_MS.first;
    for (;;) {
      const started = await deps.threads.startSync(threadId, now(), LOCK_TTL_MS, deps.scheduler.timing);
      if (started) return started;
      if (!wait || now() + pause > deadline) throw busy(threadId);
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, LOCK_POLL_MS.max);
    }
  }

  async function lockedSync(slot: Slot, threadId: string): Promise<void> {
    const { lock, snapshot, pass, quiet, claimAt } = await takeLock(threadId, slot.waits);
    // One Slack call may keep retrying (Retry-After, 5xx backoff) for minutes, longer than the lock's TTL:
    // renew it while this writer is alive, or a second writer would post the same messages. If this process
    // dies, the lock expires after LOCK_TTL_MS and another replica takes over.
    const renewal = setInterval(() => {
      lock.renew().then(
        (held) => {
          if (!held) deps.logger.warn({ threadId }, 'thread lock lost while syncing');
        },
        (error: unknown) => deps.logger.warn({ err: error, threadId }, 'thread lock renewal failed'),
      );
    }, LOCK_TTL_MS / 3);
    const run: Run = { threadId, client: slot.client, touched: false, pending: [] };
    let shown = false;
    try {
      // The delayed sync for the changes this one leaves waiting, queued before any Slack call: if this process
      // dies now, the queue retries this sync, which finds the claim and queues it again (same job id).
      if (claimAt !== null) await deps.scheduler.queueClaim(threadId, claimAt);
      // A thread quiet for a moment amid a storm (alerts still waiting for a worker) has not settled.
      const settled = quiet && !(await settleWatch.alertsComing());
      const edits = { urgentPairs: slot.urgentPairs, pass, quiet, settled, claimed: claimAt !== null };
      await runOn(run, snapshot, edits);
      shown = pass;
    } finally {
      clearInterval(renewal);
      const last = run.pending.pop();
      try {
        await flush(run);
      } finally {
        await lock.release(last, shown);
      }
    }
  }

  /** The threads this process is writing, each with its running sync and the follow-up later requests join. */
  const writers = new Map<string, Writer>();

  /**
   * Runs a sync of `threadId`, or joins the one queued behind this process's writer of that thread: a request
   * made while a writer runs needs one more pass after it (the writer may have read the state before the
   * request's change), and one pass serves every request made before it starts; later requests add their
   * urgent pair to it.
   */
  function syncWith(client: WebClient, waits: boolean, threadId: string, urgentPairs: Set<string>): Promise<void> {
    const writer = writers.get(threadId);
    // The in-job attempt must not hold its diagnosis job behind a writer that may be waiting out Slack: its caller
    // queues the sync instead, and the queued one joins the follow-up.
    if (writer && !waits) return Promise.reject(busy(threadId));
    if (writer?.next) {
      for (const pair of urgentPairs) writer.next.urgentPairs.add(pair);
      return writer.next.done;
    }
    const after = writer?.current.done ?? Promise.resolve();
    const slot: Slot = { client, waits, urgentPairs, done: Promise.resolve() };
    slot.done = after
      .catch(() => undefined) // the writer's failure is its own requests' (they retry); this pass runs anyway
      .then(async () => {
        writers.set(threadId, { current: slot });
        try {
          await lockedSync(slot, threadId);
        } finally {
          if (writers.get(threadId)?.current === slot && !writers.get(threadId)?.next) writers.delete(threadId);
        }
      });
    if (writer) writer.next = slot;
    else writers.set(threadId, { current: slot });
    return slot.done;
  }

  // The in-job attempt (syncNow) must not hold a diagnosis job through minutes of Slack retries: its client
  // neither retries nor waits out a rate limit; the queued sync that follows a failure does both.
  let failFast: WebClient | undefined;
  const failFastClient = () => {
    if (failFast) return failFast;
    failFast = new WebClient(deps.client.token, {
      slackApiUrl: deps.client.slackApiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      // WebClient's own default is no timeout: a Slack that accepts and never answers would hold the job.
      timeout: deps.syncNowTimeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS,
      logger: toSlackLogger(deps.logger),
      fetch: createHttpFetch(),
    });
    // A 429 it gets is a 429 Medic got: re-emitted on the main client, whose listeners count them (metrics).
    failFast.on(WebClientEvent.RATE_LIMITED, (...args: unknown[]) => {
      deps.client.emit(WebClientEvent.RATE_LIMITED, ...args);
    });
    return failFast;
  };

  return {
    /** The queue processor for one thread sync. */
    sync: (threadId: string, options: SyncOptions = {}): Promise<void> =>
      syncWith(deps.client, true, threadId, new Set(options.urgentPair ? [options.urgentPair] : [])),
    /**
     * One attempt at the sync in the caller's job, failing at the first Slack error (or CONFLICT when a writer,
     * here or in another replica, holds the thread); the caller queues a sync on failure, which waits for that
     * writer. Posts recorded before the failure stay.
     */
    syncNow: (threadId: string): Promise<void> =>
      syncWith(deps.syncNowClient ?? failFastClient(), false, threadId, new Set()),
  };
}

export type ThreadSync = ReturnType<typeof createThreadSync>;
