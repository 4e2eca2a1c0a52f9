/**
 * `medic demo`: Redis, a sandbox cluster with the four incidents and a traffic peak, the demo Prometheus API, the Slack
 * simulator and Medic itself (the real webhook, queues, playbooks, Slack client, Bolt and remediation),
 * with the console at /console. Every part is started here and stopped in reverse order.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { createConsole } from '../console/router.js';
import { errorMessage, isMedicError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { type RunningMedic, startMedic } from '../main.js';
import { type Sandbox, startSandbox } from '../sandbox/index.js';
import { type SlackSimulator, startSlackSimulator } from '../slack-simulator/index.js';
import { createAuditLog } from '../store/audit.js';
import { createRedisConnection, type Redis } from '../store/redis.js';
import { type DemoAlertmanager, startDemoAlertmanager } from './alertmanager.js';
import { DEMO_CLUSTER_NAMES, payloadForCluster, writeDemoClusterFiles } from './clusters.js';
import { startDemoPrometheus } from './prometheus-api.js';
import { type DemoRedis, ensureRedis } from './redis.js';
import { countAlerts, DEMO_SETTINGS_FILE, type DemoScenario, loadDemoScenario } from './scenario.js';
import { DEMO_CHANNEL, DEMO_USERGROUPS, DEMO_USERS } from './users.js';

export interface DemoOptions {
  /** Medic's HTTP port (the console is on it); 0 picks a free one. */
  port: number;
  /** REDIS_URL from the environment, used when it answers. */
  redisUrl?: string | undefined;
  /** Route the alerts through a real prometheus-alertmanager. */
  alertmanager?: boolean;
  /** Sandbox clusters one Medic serves (medic.yaml `clusters`); default 1, the single unnamed cluster. */
  clusters?: number;
  logLevel?: string;
  /** Progress lines for the terminal. */
  onProgress?: (line: string) => void;
}

export interface RunningDemo {
  url: string;
  consoleUrl: string;
  sandboxUrl: string;
  /** With `clusters` > 1: each cluster's name and sandbox URL (the first is `sandboxUrl`). */
  clusters: { name: string; sandboxUrl: string }[];
  redis: DemoRedis;
  alertmanagerUrl?: string;
  /** Alerts sent, and so diagnoses expected. */
  alertCount: number;
  /** Alert groups sent: one thread each. */
  groupCount: number;
  /**
   * Resolves once every alert group's thread holds a diagnosis and no reply has arrived for a moment, or at
   * the timeout; with the number of diagnosis replies (one per root cause and workload in a group).
   */
  diagnosed(timeoutMs: number): Promise<{ threads: number; diagnoses: number }>;
  stop(): Promise<void>;
}

/** Stops what was started, newest first, even when one step fails. */
class Stack {
  private readonly steps: { name: string; stop: () => Promise<void> | void }[] = [];
  constructor(private readonly logger: Logger) {}
  push(name: string, stop: () => Promise<void> | void): void {
    this.steps.push({ name, stop });
  }
  async unwind(): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step.stop();
      } catch (error) {
        this.logger.warn({ err: error, step: step.name }, 'demo shutdown step failed');
      }
    }
    this.steps.length = 0;
  }
}

/** The sandbox clusters: one unnamed, or `count` named ones (prod, staging, …) with their kubeconfig and medic.yaml. */
async function startClusters(count: number, scenario: DemoScenario, stack: Stack) {
  const names = count > 1 ? DEMO_CLUSTER_NAMES.slice(0, count) : [undefined];
  const sandboxes: { name: string | undefined; sandbox: Sandbox }[] = [];
  for (const name of names) {
    const sandbox = await startSandbox({ objects: scenario.objects });
    stack.push(`sandbox ${name ?? ''}`.trim(), () => sandbox.close());
    sandboxes.push({ name, sandbox });
  }
  const [first] = sandboxes;
  if (!first) throw new Error('no sandbox cluster');
  if (count === 1) return { sandboxes, env: { MEDIC_KUBE_SERVER: first.sandbox.url }, settings: DEMO_SETTINGS_FILE };
  const dir = await mkdtemp(join(tmpdir(), 'medic-demo-clusters-'));
  stack.push('cluster files', () => rm(dir, { recursive: true, force: true }));
  const files = await writeDemoClusterFiles(
    dir,
    sandboxes.map((s) => ({ name: s.name ?? '', url: s.sandbox.url })),
    DEMO_SETTINGS_FILE,
  );
  return { sandboxes, env: { KUBECONFIG: files.kubeconfig }, settings: files.settings };
}

async function sendAlerts(
  payloads: DemoScenario['payloads'],
  medic: RunningMedic,
  token: string,
  am?: DemoAlertmanager,
) {
  if (am) return am.postAlerts(payloads.map((p) => p.body));
  for (const { file, body } of payloads) {
    const response = await fetch(`${medic.url}/alertmanager`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'user-agent': 'Alertmanager/0.28.1',
      },
      body: JSON.stringify(body),
    });
    if (response.status !== 202) throw new Error(`POST /alertmanager (${file}) answered ${response.status}`);
  }
}

function countDiagnoses(slack: SlackSimulator): { threads: number; diagnoses: number } {
  const isDiagnosis = (m: { metadata?: { event_type: string } }) => m.metadata?.event_type === 'medic_diagnosis';
  const parents = slack.conversations().flatMap((c) => c.messages);
  return {
    threads: parents.filter((p) => p.replies.some(isDiagnosis)).length,
    diagnoses: parents.flatMap((p) => p.replies).filter(isDiagnosis).length,
  };
}

/** Waits for a diagnosis in each of `groups` threads, then for the replies to settle. */
function waitForDiagnoses(slack: SlackSimulator, groups: number, timeoutMs: number) {
  return new Promise<{ threads: number; diagnoses: number }>((resolve) => {
    const deadline = Date.now() + timeoutMs;
    let last = { threads: 0, diagnoses: 0 };
    let settledAt = 0;
    const check = () => {
      const now = Date.now();
      const seen = countDiagnoses(slack);
      if (seen.diagnoses !== last.diagnoses) settledAt = now;
      last = seen;
      const settled = seen.threads >= groups && now - settledAt >= 750;
      if (!settled && now < deadline) return;
      clearInterval(timer);
      resolve(seen);
    };
    const timer = setInterval(check, 100);
    check();
  });
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const progress = options.onProgress ?? (() => {});
  const logger = createLogger(options.logLevel ?? 'warn');
  const stack = new Stack(logger);
  try {
    const redis = await ensureRedis(options.redisUrl, progress);
    stack.push('redis', () => redis.stop());
    progress(redis.isPrivate ? `Redis: private redis-server at ${redis.url}` : `Redis: ${redis.url}`);

    const scenario = await loadDemoScenario();
    const count = options.clusters ?? 1;
    const clusters = await startClusters(count, scenario, stack);
    const sandbox = clusters.sandboxes[0]?.sandbox as Sandbox;
    // The demo Prometheus answers from one sandbox's objects: with several clusters its answers would mix them up,
    // so Medic then reads current usage from each cluster's metrics API only.
    const prometheus = count === 1 ? await startDemoPrometheus(sandbox.store) : null;
    if (prometheus) stack.push('prometheus', () => prometheus.close());
    else progress(`Clusters: ${clusters.sandboxes.map((s) => s.name).join(', ')} (no demo Prometheus with several)`);
    const payloads =
      count === 1
        ? scenario.payloads
        : clusters.sandboxes.flatMap((s) =>
            scenario.payloads.map((p) => ({ file: p.file, body: payloadForCluster(p.body, s.name ?? '') })),
          );

    const secrets = {
      botToken: `xoxb-demo-${randomBytes(12).toString('hex')}`,
      signingSecret: randomBytes(16).toString('hex'),
    };
    const slack = await startSlackSimulator({ ...secrets, users: DEMO_USERS, usergroups: DEMO_USERGROUPS });
    stack.push('slack simulator', () => slack.close());

    const prefix = `medic-demo-${randomBytes(4).toString('hex')}`;
    const alertmanagerToken = randomBytes(16).toString('hex');
    const config = loadConfig(
      {
        PORT: String(options.port),
        REDIS_URL: redis.url,
        SLACK_BOT_TOKEN: secrets.botToken,
        SLACK_SIGNING_SECRET: secrets.signingSecret,
        SLACK_CHANNEL: DEMO_CHANNEL,
        SLACK_API_URL: slack.apiUrl,
        ...clusters.env,
        ALERTMANAGER_TOKEN: alertmanagerToken,
        ...(prometheus ? { PROMETHEUS_URL: prometheus.url } : {}),
        MEDIC_QUEUE_PREFIX: prefix,
        LOG_LEVEL: options.logLevel ?? 'warn',
      },
      clusters.settings,
    );

    const auditRedis: Redis = createRedisConnection(config.redis, 'store', { logger });
    stack.push('audit redis', async () => {
      if (!redis.isPrivate) await deleteKeys(auditRedis, prefix);
      await auditRedis.quit();
    });
    const consoleCluster = (s: Sandbox) => ({
      list: (apiVersion: string, kind: string, namespace?: string) => s.store.list(apiVersion, kind, namespace),
      onChange: (listener: () => void) => {
        s.store.on('change', listener);
        return () => s.store.off('change', listener);
      },
    });
    const web = createConsole({
      slack,
      cluster: consoleCluster(sandbox),
      ...(count > 1
        ? {
            clusters: clusters.sandboxes.map((s) => ({
              name: s.name ?? '',
              source: consoleCluster(s.sandbox),
              kubectl: `kubectl --server ${s.sandbox.url} get deploy,hpa,pods,nodes -A`,
            })),
          }
        : {}),
      audit: createAuditLog(auditRedis, prefix),
      users: DEMO_USERS,
      channel: DEMO_CHANNEL,
      channelNames: { [DEMO_CHANNEL]: 'incidents' },
      hints: { kubectl: `kubectl --server ${sandbox.url} get deploy,hpa,pods,nodes -A` },
      logger,
    });
    stack.push('console', () => web.close());

    const medic = await startMedic({
      config,
      role: 'all',
      logger,
      host: '127.0.0.1',
      env: {},
      overrides: { routers: [{ path: '/console', handler: web.router }] },
    });
    stack.push('medic', async () => {
      await medic.stop();
    });
    slack.setEventsUrl(`${medic.url}/slack/events`);

    let am: DemoAlertmanager | undefined;
    if (options.alertmanager) {
      am = await startDemoAlertmanager({
        webhookUrl: `${medic.url}/alertmanager`,
        token: alertmanagerToken,
        ...(count > 1 ? { groupBy: ['cluster', 'namespace'] } : {}),
      });
      stack.push('alertmanager', () => am?.stop());
      progress(`Alertmanager: ${am.url} (routes to Medic's webhook)`);
    }
    await sendAlerts(payloads, medic, alertmanagerToken, am);

    const alertCount = countAlerts(scenario) * count;
    return {
      url: medic.url,
      consoleUrl: `http://localhost:${medic.port}/console/`,
      sandboxUrl: sandbox.url,
      clusters: count > 1 ? clusters.sandboxes.map((s) => ({ name: s.name ?? '', sandboxUrl: s.sandbox.url })) : [],
      redis,
      ...(am ? { alertmanagerUrl: am.url } : {}),
      alertCount,
      groupCount: payloads.length,
      diagnosed: (timeoutMs) => waitForDiagnoses(slack, payloads.length, timeoutMs),
      stop: () => stack.unwind(),
    };
  } catch (error) {
    await stack.unwind();
    // A MedicError is already the one sentence for the user (e.g. the port is taken).
    if (isMedicError(error)) throw error;
    throw new Error(`the demo could not start: ${errorMessage(error)}`, { cause: error });
  }
}

/** Removes the demo's keys from a shared Redis. */
async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
