/**
 * Slack threads as Medic wrote them, rebuilt from the Web API calls seen by the fault proxy: parents
 * (posts without thread_ts), replies, updates, and the diagnosis replies per fingerprint.
 */
import type { SlackCall } from './slack-calls.js';

export interface ThreadWrites {
  parentTs: string;
  /** Successful posts in the thread, parent first, in the order Slack accepted them. */
  posts: SlackCall[];
  updates: SlackCall[];
}

export interface ThreadReport {
  threads: Map<string, ThreadWrites>;
  /** Successful diagnosis replies per alert fingerprint. */
  repliesPerFingerprint: Map<string, number>;
  /** Replies whose thread_ts named no parent this run posted (posted before their parent, or orphaned). */
  orphanReplies: number;
}

export function rebuildThreads(calls: readonly SlackCall[]): ThreadReport {
  const threads = new Map<string, ThreadWrites>();
  const threadOfTs = new Map<string, string>();
  const repliesPerFingerprint = new Map<string, number>();
  let orphanReplies = 0;
  for (const call of calls) {
    if (!call.ok) continue;
    if (call.method === 'chat.postMessage') {
      if (!call.threadTs) {
        const ts = call.resultTs ?? '';
        threads.set(ts, { parentTs: ts, posts: [call], updates: [] });
        threadOfTs.set(ts, ts);
        continue;
      }
      const thread = threads.get(call.threadTs);
      if (!thread) orphanReplies += 1;
      thread?.posts.push(call);
      if (call.resultTs) threadOfTs.set(call.resultTs, call.threadTs);
      if (call.diagnosis) {
        const fp = call.diagnosis.fingerprint;
        repliesPerFingerprint.set(fp, (repliesPerFingerprint.get(fp) ?? 0) + 1);
      }
    } else if (call.method === 'chat.update' && call.ts) {
      const parent = threadOfTs.get(call.ts);
      if (parent) threads.get(parent)?.updates.push(call);
    }
  }
  return { threads, repliesPerFingerprint, orphanReplies };
}
