/**
 * A whole Medic deployment on this machine for fault tests and benchmarks: a private Redis, a sandbox
 * cluster, the Slack simulator behind a fault proxy, and N Medic processes (`serve --role …`) wired to them.
 */
import { randomBytes } from 'node:crypto';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';
import { type SlackSimulator, startSlackSimulator } from '../../src/slack-simulator/index.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { type MedicProcess, type MedicRole, spawnMedic } from './medic-process.js';
import { killAllTracked } from './processes.js';
import { type PrivateRedis, startPrivateRedis } from './redis-server.js';
import { parseSlackCall, type SlackCall } from './slack-calls.js';

export const BOT_TOKEN = 'xoxb-medic-harness';
export const SIGNING_SECRET = 'harness-signing-secret';
export const CHANNEL = 'C0HARNESS';
export const APPROVER = 'U0APPROVER';
export const OTHER_APPROVER = 'U0APPROVER2';

export interface StackOptions {
  sandbox: SandboxOptions;
  /** Default true: AOF with appendfsync always. */
  aof?: boolean;
  /** Extra environment for every Medic process. */
  env?: Record<string, string>;
  /** Script that runs the CLI (e.g. a compiled build's launcher); default bin/medic.js through tsx. */
  medicEntry?: string;
  /** Extra node flags for every Medic process (e.g. --cpu-prof). */
  medicNodeArgs?: string[];
}

export interface Stack {
  redis: PrivateRedis;
  sandbox: Sandbox;
  slack: SlackSimulator;
  /** Sits between Medic and the simulator: faults and the record of Slack calls. */
  slackProxy: FaultProxy;
  prefix: string;
  /** Every Slack Web API call Medic made, as seen by the proxy, in order. */
  slackCalls: SlackCall[];
  env: Record<string, string>;
  medics: MedicProcess[];
  startMedic(role: MedicRole, env?: Record<string, string>): Promise<MedicProcess>;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const prefix = `medic-h-${randomBytes(3).toString('hex')}`;
  const redis = await startPrivateRedis({ aof: options.aof ?? true });
  const sandbox = await startSandbox(options.sandbox);
  const slack = await startSlackSimulator({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    users: [
      { id: APPROVER, name: 'approver' },
      { id: OTHER_APPROVER, name: 'approver2' },
    ],
  });
  const slackProxy = await startFaultProxy(slack.url);
  const slackCalls: SlackCall[] = [];
  slackProxy.onExchange((request, body, _status, response) => {
    const call = parseSlackCall(request, body, response);
    if (call) slackCalls.push(call);
  });
  const env: Record<string, string> = {
    REDIS_URL: redis.url,
    MEDIC_QUEUE_PREFIX: prefix,
    MEDIC_KUBE_SERVER: sandbox.url,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_CHANNEL: CHANNEL,
    SLACK_API_URL: `${slackProxy.url}/api/`,
    ...options.env,
  };
  const medics: MedicProcess[] = [];
  return {
    redis,
    sandbox,
    slack,
    slackProxy,
    prefix,
    slackCalls,
    env,
    medics,
    async startMedic(role, extra = {}) {
      const medic = await spawnMedic({
        role,
        env: { ...env, ...extra },
        ...(options.medicEntry ? { entry: options.medicEntry } : {}),
        ...(options.medicNodeArgs ? { nodeArgs: options.medicNodeArgs } : {}),
      });
      medics.push(medic);
      // Clicks and slash commands go to the first process that serves HTTP for Slack.
      if (role !== 'worker' && !medics.some((m) => m !== medic && m.role !== 'worker')) {
        slack.setEventsUrl(`${medic.baseUrl}/slack/events`);
      }
      return medic;
    },
    async close() {
      await Promise.all(medics.map((m) => m.kill('SIGKILL')));
      await slackProxy.close();
      await slack.close();
      await sandbox.close();
      await redis.close();
      await killAllTracked();
    },
  };
}
