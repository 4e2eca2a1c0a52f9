/**
 * `medic demo`: Redis, a sandbox cluster with the four incidents and a traffic peak, the demo Prometheus API, the Slack
 * simulator and Medic itself (the real webhook, queues, playbooks, Slack client, Bolt and remediation),
 * with the console at /console. Every part is started here and stopped in reverse order.
 */
import { randomBytes } from 'node:crypto';
import { type Config, loadConfig } from '../config/load.js';
import { createConsole } from '../console/router.js';
import { errorMessage } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { type RunningMedic, startMedic } from '../main.js';
import { type Sandbox, startSandbox } from '../sandbox/index.js';
import { type SlackSimulator, startSlackSimulator } from '../slack-simulator/index.js';
import { createAuditLog } from '../store/audit.js';
import { createRedisConnection, type Redis } from '../store/redis.js';
import { type DemoAlertmanager, startDemoAlertmanager } from './alertmanager.js';
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
  logLevel?: string;
  /** Progress lines for the terminal. */
  onProgress?: (line: string) => void;
}

export interface RunningDemo {
  url: string;
  consoleUrl: string;
  sandboxUrl: string;
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

function demoConfig(env: Record<string, string>): Config {
  return loadConfig(env, DEMO_SETTINGS_FILE);
}

async function sendAlerts(scenario: DemoScenario, medic: RunningMedic, token: string, am?: DemoAlertmanager) {
  if (am) return am.postAlerts(scenario.payloads.map((p) => p.body));
  for (const { file, body } of scenario.payloads) {
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
    const sandbox: Sandbox = await startSandbox({ objects: scenario.objects });
    stack.push('sandbox', () => sandbox.close());
    const prometheus = await startDemoPrometheus(sandbox.store);
    stack.push('prometheus', () => prometheus.close());

    const secrets = {
      botToken: `xoxb-demo-${randomBytes(12).toString('hex')}`,
      signingSecret: randomBytes(16).toString('hex'),
    };
    const slack = await startSlackSimulator({ ...secrets, users: DEMO_USERS, usergroups: DEMO_USERGROUPS });
    stack.push('slack simulator', () => slack.close());

    const prefix = `medic-demo-${randomBytes(4).toString('hex')}`;
    const alertmanagerToken = randomBytes(16).toString('hex');
    const config = demoConfig({
      PORT: String(options.port),
      REDIS_URL: redis.url,
      SLACK_BOT_TOKEN: secrets.botToken,
      SLACK_SIGNING_SECRET: secrets.signingSecret,
      SLACK_CHANNEL: DEMO_CHANNEL,
      SLACK_API_URL: slack.apiUrl,
      MEDIC_KUBE_SERVER: sandbox.url,
      ALERTMANAGER_TOKEN: alertmanagerToken,
      PROMETHEUS_URL: prometheus.url,
      MEDIC_QUEUE_PREFIX: prefix,
      LOG_LEVEL: options.logLevel ?? 'warn',
    });

    const auditRedis: Redis = createRedisConnection(config.redis, 'store', { logger });
    stack.push('audit redis', async () => {
      if (!redis.isPrivate) await deleteKeys(auditRedis, prefix);
      await auditRedis.quit();
    });
    const web = createConsole({
      slack,
      cluster: {
        list: (apiVersion, kind, namespace) => sandbox.store.list(apiVersion, kind, namespace),
        onChange: (listener) => {
          sandbox.store.on('change', listener);
          return () => sandbox.store.off('change', listener);
        },
      },
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
    stack.push('medic', () => medic.stop());
    slack.setEventsUrl(`${medic.url}/slack/events`);

    let am: DemoAlertmanager | undefined;
    if (options.alertmanager) {
      am = await startDemoAlertmanager({ webhookUrl: `${medic.url}/alertmanager`, token: alertmanagerToken });
      stack.push('alertmanager', () => am?.stop());
      progress(`Alertmanager: ${am.url} (routes to Medic's webhook)`);
    }
    await sendAlerts(scenario, medic, alertmanagerToken, am);

    const alertCount = countAlerts(scenario);
    return {
      url: medic.url,
      consoleUrl: `http://localhost:${medic.port}/console/`,
      sandboxUrl: sandbox.url,
      redis,
      ...(am ? { alertmanagerUrl: am.url } : {}),
      alertCount,
      groupCount: scenario.payloads.length,
      diagnosed: (timeoutMs) => waitForDiagnoses(slack, scenario.payloads.length, timeoutMs),
      stop: () => stack.unwind(),
    };
  } catch (error) {
    await stack.unwind();
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
