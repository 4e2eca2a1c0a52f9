/**
 * The Alertmanager webhook payload, version "4" (prometheus/alertmanager notify/webhook).
 * Unknown keys are tolerated: Alertmanager adds fields over time (notification_reason, routeLabels).
 */
import { z } from 'zod';

const labelMap = z.record(z.string(), z.string());

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelMap,
  annotations: labelMap.default({}),
  startsAt: z.string().min(1),
  endsAt: z.string().default('0001-01-01T00:00:00Z'),
  generatorURL: z.string().default(''),
  fingerprint: z.string().regex(/^[0-9a-f]{1,32}$/i, 'must be the hex fingerprint Alertmanager sends'),
});

export const webhookPayloadSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string().min(1).max(8192),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labelMap.default({}),
  commonLabels: labelMap.default({}),
  commonAnnotations: labelMap.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertSchema).min(1).max(10_000),
  notification_reason: z.string().optional(),
});

export type AlertmanagerAlert = z.infer<typeof alertSchema>;
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/** One alert with the group context it arrived in: the unit of work for the diagnosis worker. */
export interface AlertEvent {
  alert: AlertmanagerAlert;
  groupKey: string;
  receiver: string;
  externalURL: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  /** When Medic accepted it (ms since epoch). */
  receivedAt: number;
  /** Set for `/medic diagnose`: who asked, and the channel the answer goes to (instead of `channels` routing). */
  requestedBy?: { userId: string; channel: string };
}

export function toAlertEvents(payload: WebhookPayload, receivedAt: number): AlertEvent[] {
  return payload.alerts.map((alert) => ({
    alert,
    groupKey: payload.groupKey,
    receiver: payload.receiver,
    externalURL: payload.externalURL,
    groupLabels: payload.groupLabels,
    commonLabels: payload.commonLabels,
    receivedAt,
  }));
}
