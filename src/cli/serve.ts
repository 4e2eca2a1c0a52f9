/** `medic serve [--role web|worker|all]`: the webhook server and workers, until SIGTERM or SIGINT. */
import { parseArgs } from 'node:util';
import { loadConfig, redactConfig } from '../config/load.js';
import { MedicError } from '../errors.js';
import { createLogger } from '../logger.js';
import { type MedicRole, startMedic } from '../main.js';

const USAGE = `Usage: medic serve [--role web|worker|all]

  --role web     the HTTP server only (Alertmanager webhook, Slack events, health, metrics)
  --role worker  the diagnosis and remediation workers (plus /healthz, /readyz, /metrics)
  --role all     both (default)

Configuration comes from environment variables and MEDIC_CONFIG (see README.md).`;

const ROLES: readonly MedicRole[] = ['web', 'worker', 'all'];

function parseRole(args: string[]): MedicRole | 'help' {
  let values: { role?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args,
      options: { role: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new MedicError('BAD_REQUEST', `${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help) return 'help';
  const role = values.role ?? 'all';
  if (!ROLES.includes(role as MedicRole)) {
    throw new MedicError('BAD_REQUEST', `--role must be web, worker or all, not "${role}".\n\n${USAGE}`);
  }
  return role as MedicRole;
}

export async function run(args: string[]): Promise<number> {
  const role = parseRole(args);
  if (role === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  logger.info({ config: redactConfig(config) }, 'configuration loaded');
  const medic = await startMedic({ config, role, logger });

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'signal received');
  // A second signal while draining means "now": exit without waiting for in-flight jobs (they are retried).
  const forced = () => {
    logger.warn('second signal: exiting without waiting');
    process.exit(130);
  };
  process.once('SIGTERM', forced);
  process.once('SIGINT', forced);
  const clean = await medic.stop();
  logger.flush();
  // Whatever still holds the event loop after a forced close (a BullMQ reconnect timer, a half-open socket)
  // must not keep the pod in Terminating; a clean close lets the process end by itself first.
  setTimeout(() => process.exit(clean ? 0 : 1), 1000).unref();
  return clean ? 0 : 1;
}
