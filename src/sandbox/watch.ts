/** `?watch=true`: newline-delimited watch events, from a resourceVersion or from the current state. */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from './object.js';
import type { ResourceType } from './resources.js';
import type { Matcher } from './selectors.js';
import { badRequest, gone } from './status.js';
import type { HistoryEntry, SandboxStore } from './store.js';

export interface WatchRequest {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  filter: Matcher;
  resourceVersion: string | null;
  timeoutSeconds: number;
}

type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR'; object: unknown };

/** Translates a change into what a watcher with this filter sees (entering the selection is ADDED, leaving DELETED). */
function visible(entry: HistoryEntry, w: WatchRequest, store: SandboxStore): WatchEvent | null {
  const object = entry.event.object;
  const inScope = (o: KubeObject | undefined) =>
    o !== undefined &&
    store.typeOf(o) === w.type &&
    (w.namespace === undefined || o.metadata.namespace === w.namespace) &&
    (w.name === undefined || o.metadata.name === w.name) &&
    w.filter(o);
  const now = inScope(object);
  if (entry.event.type !== 'MODIFIED') return now ? { type: entry.event.type, object } : null;
  const before = inScope(entry.previous);
  if (now && before) return { type: 'MODIFIED', object };
  if (now) return { type: 'ADDED', object };
  if (before) return { type: 'DELETED', object };
  return null;
}

/** Streams events until the client goes away or `timeoutSeconds` passes. */
export function serveWatch(store: SandboxStore, w: WatchRequest, res: ServerResponse, maxSeconds: number): void {
  const rv = w.resourceVersion;
  if (rv && rv !== '0' && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
  const backlog = rv && rv !== '0' ? store.changesSince(Number(rv)) : [];
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  const send = (event: WatchEvent) => res.write(`${JSON.stringify(event)}\n`);
  if (backlog === null) {
    send({ type: 'ERROR', object: gone(rv ?? '').toStatus() });
    res.end();
    return;
  }
  if (!rv || rv === '0') {
    const current = w.name
      ? [store.getType(w.type, w.namespace, w.name)].filter((o): o is KubeObject => o !== undefined)
      : store.listType(w.type, w.namespace);
    for (const object of current) if (w.filter(object)) send({ type: 'ADDED', object });
  }
  for (const entry of backlog) {
    const event = visible(entry, w, store);
    if (event) send(event);
  }
  const unsubscribe = store.subscribe((entry) => {
    const event = visible(entry, w, store);
    if (event) send(event);
  });
  const seconds = Math.min(w.timeoutSeconds > 0 ? w.timeoutSeconds : maxSeconds, maxSeconds);
  const timer = setTimeout(() => res.end(), seconds * 1000);
  res.on('close', () => {
    clearTimeout(timer);
    unsubscribe();
  });
}
