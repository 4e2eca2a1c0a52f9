/**
 * fast-check generators of bad Alertmanager webhook bodies: bytes that are not JSON, JSON of the wrong
 * shape, and a valid payload with one field broken (deleted, wrong type, out of range). Every one must
 * be answered 4xx by POST /alertmanager.
 */
import fc from 'fast-check';

export function validPayload(fingerprint = '0123456789abcdef'): Record<string, unknown> {
  return {
    version: '4',
    groupKey: '{}:{namespace="fuzz"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'medic',
    groupLabels: { namespace: 'fuzz' },
    commonLabels: { namespace: 'fuzz', alertname: 'KubePodCrashLooping' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'KubePodCrashLooping', namespace: 'fuzz', pod: 'api-1' },
        annotations: { summary: 's' },
        startsAt: '2026-08-01T10:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph',
        fingerprint,
      },
    ],
  };
}

/** Values of a type no field of the schema accepts in that place (chosen per field below). */
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
const notAMap = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(fc.integer(), fc.constant(null), fc.boolean()), {
    minKeys: 1,
    maxKeys: 3,
  }),
);

type Mutation = (target: Record<string, unknown>) => void;

const setField =
  (field: string, value: unknown): Mutation =>
  (target) => {
    target[field] = value;
  };
const removeField =
  (field: string): Mutation =>
  (target) => {
    delete target[field];
  };
const notOneOf = (allowed: string[]) => fc.string({ maxLength: 10 }).filter((s) => !allowed.includes(s));

const topLevelMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom('version', 'alerts', 'groupKey', 'status', 'receiver').map(removeField),
  fc.constant(setField('alerts', [])),
  fc.constant(setField('groupKey', '')),
  fc.oneof(notOneOf(['4']), fc.integer()).map((v) => setField('version', v)),
  notOneOf(['firing', 'resolved']).map((v) => setField('status', v)),
  notAString.map((v) => setField('groupKey', v)),
  notAString.map((v) => setField('receiver', v)),
  fc
    .oneof(fc.string(), fc.integer(), fc.constant(null), fc.dictionary(fc.string(), fc.string()))
    .map((v) => setField('alerts', v)),
  fc
    .tuple(fc.constantFrom('groupLabels', 'commonLabels', 'commonAnnotations'), notAMap)
    .map(([field, v]) => setField(field, v)),
  fc
    .oneof(fc.integer({ max: -1 }), fc.double({ min: 0.1, max: 0.9 }), fc.string())
    .map((v) => setField('truncatedAlerts', v)),
);

const alertMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom('status', 'labels', 'startsAt', 'fingerprint').map(removeField),
  fc
    .string({ maxLength: 20 })
    .filter((s) => !/^[0-9a-f]{1,32}$/i.test(s))
    .map((v) => setField('fingerprint', v)),
  notOneOf(['firing', 'resolved']).map((v) => setField('status', v)),
  notAMap.map((v) => setField('labels', v)),
  notAMap.map((v) => setField('annotations', v)),
  notAString.map((v) => setField('startsAt', v)),
);

/** A valid payload with 1–3 alerts, one broken field in the group or in one alert. */
export const brokenPayload: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1, max: 3 }),
    fc.oneof(
      topLevelMutation.map((m) => ({ top: m })),
      fc.tuple(fc.nat(), alertMutation).map(([index, m]) => ({ index, alert: m })),
    ),
  )
  .map(([count, mutation]) => {
    const payload = validPayload();
    const first = (payload.alerts as Record<string, unknown>[])[0]!;
    const alerts = Array.from({ length: count }, (_, i) => ({
      ...structuredClone(first),
      fingerprint: `abcdef${String(i).padStart(10, '0')}`,
    }));
    payload.alerts = alerts;
    if ('top' in mutation) mutation.top(payload);
    else mutation.alert(alerts[mutation.index % alerts.length]!);
    return JSON.stringify(payload);
  });

/** JSON that parses but is not a webhook body at all. */
export const wrongShapeJson: fc.Arbitrary<string> = fc
  .oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }))
  .map((v) => JSON.stringify(v))
  .filter((text) => text !== undefined);

/** Text that is not JSON: truncated payloads, random characters, binary junk. */
export const notJson: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ minLength: 1 }),
    fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    fc.integer({ min: 1, max: 400 }).map((cut) => JSON.stringify(validPayload()).slice(0, cut)),
  )
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });
