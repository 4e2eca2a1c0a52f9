/**
 * A legacy Event (firstTimestamp, lastTimestamp, count) as the events.k8s.io recorder would have written it, read
 * through core/v1: eventTime at the first occurrence (microseconds), series.count and series.lastObservedTime for a
 * repeat, the legacy fields empty, the reporter in reportingComponent instead of source.
 */
export function asEventsApi(e: Record<string, any>): Record<string, any> {
  const { count, firstTimestamp, lastTimestamp, ...rest } = e;
  const micro = (t: string) => new Date(t).toISOString().replace('Z', '000Z');
  return {
    ...rest,
    eventTime: micro(firstTimestamp ?? lastTimestamp),
    firstTimestamp: null,
    lastTimestamp: null,
    reportingComponent: e.source?.component ?? '',
    source: {},
    ...((count ?? 1) > 1 ? { series: { count, lastObservedTime: micro(lastTimestamp) } } : {}),
  };
}

/** A snapshot's Events with a lastTimestamp in the events.k8s.io shape; other objects as they are. */
export const eventsAsEventsApi = (objects: Record<string, any>[]) =>
  objects.map((o) => (o.kind === 'Event' && o.lastTimestamp ? asEventsApi(o) : o));
