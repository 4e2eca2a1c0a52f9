/** `medic demo [--port N] [--alertmanager] [--clusters N]`: the whole product on this machine, until Ctrl-C. */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { ALERTMANAGER_BINARY } from '../demo/alertmanager.js';
import { DEMO_CLUSTER_NAMES, MAX_DEMO_CLUSTERS } from '../demo/clusters.js';
import { DEMO_USERS } from '../demo/users.js';
import { errorMessage, isMedicError, MedicError } from '../errors.js';

const USAGE = `Usage: medic demo [--port N] [--alertmanager] [--clusters N]

Runs Medic with everything it talks to on this machine: Redis (REDIS_URL when it answers, else a private
redis-server), a sandbox Kubernetes API server holding four incidents and a traffic peak, a Slack-compatible server, and the
web console at http://localhost:PORT/console/. Sends the alerts, then runs until Ctrl-C.

  --port N          Medic's HTTP port, console included (default: $PORT or 3000; 0 picks a free port)
  --alertmanager    send the alerts through a real Alertmanager (${ALERTMANAGER_BINARY})
  --clusters N      N sandbox clusters (${DEMO_CLUSTER_NAMES.join(', ')}; 1 to ${MAX_DEMO_CLUSTERS}) served by one Medic,
                    each with the incidents; the console's cluster panel switches between them (default 1)`;

function parsePort(value: string | undefined): number {
  const text = value ?? process.env.PORT ?? '3000';
  if (!/^[0-9]+$/.test(text) || Number(text) > 65535) {
    throw new MedicError('BAD_REQUEST', `--port must be a port number (0-65535), not "${text}".`, { field: 'port' });
  }
  return Number(text);
}

function parseClusters(value: string | undefined): number {
  const text = value ?? '1';
  if (!/^[0-9]+$/.test(text) || Number(text) < 1 || Number(text) > MAX_DEMO_CLUSTERS) {
    throw new MedicError('BAD_REQUEST', `--clusters must be a number from 1 to ${MAX_DEMO_CLUSTERS}, not "${text}".`, {
      field: 'clusters',
    });
  }
  return Number(text);
}

const portTaken = (port: number) =>
  new MedicError(
    'CONFIG_INVALID',
    `port ${port} is already in use; choose another with --port ${port + 1} (or PORT=${port + 1}; --port 0 picks a free one).`,
    { field: 'port' },
  );

/** Fails at once, before Redis, the sandbox and the simulator are started, when the console's port is taken. */
async function ensurePortFree(port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  const taken = await new Promise<boolean>((resolve) => {
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
  if (taken) throw portTaken(port);
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      alertmanager: { type: 'boolean' },
      clusters: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = parsePort(values.port);
  const clusters = parseClusters(values.clusters);
  if (values.alertmanager && !existsSync(ALERTMANAGER_BINARY)) {
    process.stderr.write(`medic demo: --alertmanager needs ${ALERTMANAGER_BINARY}; sending alerts directly instead.\n`);
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // Listen first: a Ctrl-C while starting still stops whatever has started.
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  out('Starting the Medic demo…');
  const started = performance.now();
  // Loaded only now: it pulls in all of Medic, which --help and a bad --port do not need.
  await ensurePortFree(port);
  const { startDemo } = await import('../demo/run.js');
  const demo = await startDemo({
    port,
    redisUrl: process.env.REDIS_URL,
    alertmanager: Boolean(values.alertmanager) && existsSync(ALERTMANAGER_BINARY),
    clusters,
    // Quiet by default: the terminal shows where to look; LOG_LEVEL=info shows Medic's logs.
    logLevel: process.env.LOG_LEVEL ?? 'error',
    onProgress: (line) => out(`  ${line}`),
  }).catch((error: unknown) => {
    // Taken in the moment since ensurePortFree: everything the demo started is stopped by now.
    throw isMedicError(error) && error.field === 'PORT' ? portTaken(port) : error;
  });
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= demo.stop();
    return stopping;
  };
  try {
    const seen = await Promise.race([demo.diagnosed(30_000), signalled.then(() => null)]);
    if (seen) {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      out(
        seen.threads >= demo.groupCount
          ? `  ✔ ${demo.alertCount} alerts in ${demo.groupCount} groups: ${seen.diagnoses} diagnoses posted to #incidents, ${seconds} s after start`
          : `  ⚠ diagnoses in only ${seen.threads} of ${demo.groupCount} threads after 30 s; see the console and the logs`,
      );
      out('');
      out(`  Console   ${demo.consoleUrl}`);
      if (demo.clusters.length === 0)
        out(`  Cluster   kubectl --server ${demo.sandboxUrl} get deploy,hpa,pods,nodes -A`);
      for (const c of demo.clusters) {
        out(`  Cluster   ${c.name}: kubectl --server ${c.sandboxUrl} get deploy,hpa,pods,nodes -A`);
      }
      out(
        `  Users     ${DEMO_USERS.map((u) => `${u.name}${u.isApprover ? ' ✔ approver' : ' ✖ not an approver'}`).join(', ')}`,
      );
      out('');
      out('Press Ctrl-C to stop.');
      await signalled;
    }
  } catch (error) {
    process.stderr.write(`medic demo: ${errorMessage(error)}\n`);
  }
  out('Stopping the demo…');
  await stop();
  out('Stopped.');
  // Whatever still holds the event loop (a connection dropped mid-close) must not keep the terminal waiting.
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}
