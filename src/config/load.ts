/**
 * Configuration is a pure function of the environment and medic.yaml. A bad value stops start-up with
 * one sentence naming the setting and how to fix it; secrets never appear in messages or logs.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { MedicError } from '../errors.js';
import { firstIssue } from '../zod-issue.js';
import { checkClusterSettings } from './clusters.js';
import { type Settings, settingsSchema } from './settings.js';

const optionalUrl = (example: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(z.url({ message: `must be a URL like ${example}` }).optional());

const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const positiveInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? String(fallback) : v))
    .pipe(z.string().regex(/^[0-9]+$/, 'must be a whole number'))
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1'));

export const envSchema = z.object({
  PORT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? '3000' : v))
    .pipe(z.string().regex(/^[0-9]+$/, 'must be a port number'))
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535, 'must be a port number (0-65535)')),
  REDIS_URL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? 'redis://127.0.0.1:6379' : v))
    .pipe(z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')),
  /** Comma-separated host:port list of Redis Sentinels; REDIS_SENTINEL_NAME names the master group. */
  REDIS_SENTINELS: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? [] : v.split(',').map((s) => s.trim())))
    .pipe(z.array(z.string().regex(/^[^:\s]+:[0-9]+$/, 'must be host:port entries separated by commas'))),
  REDIS_SENTINEL_NAME: z.string().default('mymaster'),
  SLACK_BOT_TOKEN: optionalSecret,
  SLACK_SIGNING_SECRET: optionalSecret,
  SLACK_APP_TOKEN: optionalSecret.pipe(
    z.string().startsWith('xapp-', 'must be an app-level token starting with xapp-').optional(),
  ),
  SLACK_CHANNEL: z.string().optional(),
  SLACK_API_URL: optionalUrl('https://slack.com/api/'),
  KUBECONFIG: z.string().optional(),
  /** Explicit Kubernetes API server URL (e.g. a `medic sandbox`); overrides KUBECONFIG. */
  MEDIC_KUBE_SERVER: optionalUrl('http://127.0.0.1:6443'),
  ALERTMANAGER_TOKEN: optionalSecret,
  ALERTMANAGER_URL: optionalUrl('http://alertmanager.monitoring.svc:9093'),
  PROMETHEUS_URL: optionalUrl('http://prometheus.monitoring.svc:9090'),
  MEDIC_CONFIG: z.string().optional(),
  // A diagnosis mostly waits (Redis, the API server): 32 in parallel drain a storm twice as fast as 8 on 2 cores
  // (docs/reliability.md, bench:storm); the API server is protected by the request cap (src/kube/request-cap.ts).
  MEDIC_WORKER_CONCURRENCY: positiveInt(128),
  MEDIC_ACTION_CONCURRENCY: positiveInt(2),
  MEDIC_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:{}_-]+$/, 'must be letters, digits, :, {, }, _ or -')
    .default('medic'),
  MEDIC_BODY_LIMIT: z
    .string()
    .regex(/^[0-9]+(b|kb|mb)$/i, 'must be a size like 5mb')
    .default('5mb'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  redis: { url: string; sentinels: { host: string; port: number }[]; sentinelName: string };
  slack: {
    botToken: string | undefined;
    signingSecret: string | undefined;
    appToken: string | undefined;
    defaultChannel: string | undefined;
    apiUrl: string | undefined;
  };
  kube: { kubeconfig: string | undefined; server: string | undefined };
  alertmanager: { token: string | undefined; url: string | undefined };
  prometheusUrl: string | undefined;
  workers: { alertConcurrency: number; actionConcurrency: number };
  queuePrefix: string;
  bodyLimit: string;
  logLevel: Env['LOG_LEVEL'];
  settings: Settings;
  /** Where medic.yaml came from, for start-up logs. */
  settingsSource: string;
}

/** Parses medic.yaml text; `source` names the file in error messages. */
export function parseSettings(text: string, source: string): Settings {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new MedicError(
      'CONFIG_INVALID',
      `${source} is not valid YAML (${(error as Error).message.split('\n')[0]}); fix the syntax.`,
      {
        field: 'MEDIC_CONFIG',
        cause: error,
      },
    );
  }
  const result = settingsSchema.safeParse(raw);
  if (!result.success) {
    const { field, message } = firstIssue(result.error);
    throw new MedicError(
      'CONFIG_INVALID',
      `${source}: setting "${field || '(top level)'}" ${message}; fix it or remove the key to use the default.`,
      {
        field,
      },
    );
  }
  return result.data;
}

/**
 * Builds Medic's configuration from environment variables and the medic.yaml named by `file`
 * (default: MEDIC_CONFIG). Throws a MedicError CONFIG_INVALID naming the setting.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  file: string | undefined = env.MEDIC_CONFIG,
): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw new MedicError(
      'CONFIG_INVALID',
      `Environment variable ${field} ${message}; set it correctly or unset it to use the default.`,
      {
        field,
      },
    );
  }
  const e = parsed.data;
  let settings: Settings;
  let settingsSource = 'defaults';
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new MedicError(
        'CONFIG_INVALID',
        `MEDIC_CONFIG points at ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); fix the path or unset MEDIC_CONFIG.`,
        {
          field: 'MEDIC_CONFIG',
          cause: error,
        },
      );
    }
    settings = parseSettings(text, file);
    settingsSource = file;
  } else {
    settings = settingsSchema.parse({});
  }
  checkClusterSettings(settings, file ?? 'medic.yaml', e);
  checkSlackSettings(e, settings);
  return {
    port: e.PORT,
    redis: {
      url: e.REDIS_URL,
      sentinels: e.REDIS_SENTINELS.map((s) => {
        const [host = '', port = '26379'] = s.split(':');
        return { host, port: Number(port) };
      }),
      sentinelName: e.REDIS_SENTINEL_NAME,
    },
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      defaultChannel: e.SLACK_CHANNEL,
      apiUrl: e.SLACK_API_URL,
    },
    kube: { kubeconfig: e.KUBECONFIG, server: e.MEDIC_KUBE_SERVER },
    alertmanager: { token: e.ALERTMANAGER_TOKEN, url: e.ALERTMANAGER_URL },
    prometheusUrl: e.PROMETHEUS_URL,
    workers: { alertConcurrency: e.MEDIC_WORKER_CONCURRENCY, actionConcurrency: e.MEDIC_ACTION_CONCURRENCY },
    queuePrefix: e.MEDIC_QUEUE_PREFIX,
    bodyLimit: e.MEDIC_BODY_LIMIT,
    logLevel: e.LOG_LEVEL,
    settings,
    settingsSource,
  };
}

/**
 * Slack settings that cannot work stop start-up here, not at the first alert: every alert group needs a
 * channel (SLACK_CHANNEL, or a `channels` rule matching every alert), and Slack over HTTP needs the signing
 * secret to verify clicks.
 */
function checkSlackSettings(
  e: {
    SLACK_BOT_TOKEN?: string | undefined;
    SLACK_CHANNEL?: string | undefined;
    SLACK_SIGNING_SECRET?: string | undefined;
    SLACK_APP_TOKEN?: string | undefined;
  },
  settings: Settings,
): void {
  if (!e.SLACK_BOT_TOKEN) return;
  const catchAll = settings.channels.some(
    (r) =>
      r.match.namespace === undefined &&
      r.match.cluster === undefined &&
      Object.keys(r.match.labels ?? {}).length === 0,
  );
  if (!e.SLACK_CHANNEL && !catchAll) {
    throw new MedicError(
      'CONFIG_INVALID',
      'SLACK_BOT_TOKEN is set but SLACK_CHANNEL is not, and no "channels" rule in medic.yaml matches every alert: set SLACK_CHANNEL to the channel for alerts no rule routes.',
      { field: 'SLACK_CHANNEL' },
    );
  }
  if (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    throw new MedicError(
      'CONFIG_INVALID',
      "SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: set it from your Slack app's Basic Information page (or set SLACK_APP_TOKEN for Socket Mode).",
      { field: 'SLACK_SIGNING_SECRET' },
    );
  }
}

/** The configuration with secrets replaced, safe to log. */
export function redactConfig(config: Config): Record<string, unknown> {
  const mark = (v: string | undefined) => (v ? '[set]' : '[unset]');
  return {
    ...config,
    redis: { ...config.redis, url: config.redis.url.replace(/\/\/[^@/]*@/, '//[redacted]@') },
    slack: {
      ...config.slack,
      botToken: mark(config.slack.botToken),
      signingSecret: mark(config.slack.signingSecret),
      appToken: mark(config.slack.appToken),
    },
    alertmanager: { ...config.alertmanager, token: mark(config.alertmanager.token) },
  };
}
