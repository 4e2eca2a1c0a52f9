/** `medic sandbox --cluster FILE [--port N]`: serve a snapshot as a Kubernetes API server until SIGINT/SIGTERM. */
import { parseArgs } from 'node:util';
import { MedicError } from '../errors.js';
import { startSandbox } from '../sandbox/index.js';

const USAGE = `Usage: medic sandbox --cluster SNAPSHOT.yaml [--port N]

Serves the snapshot as a Kubernetes API server on 127.0.0.1 (a free port unless --port is given),
for kubectl --server and @kubernetes/client-node. Changes are kept in memory. Stop with Ctrl-C.`;

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MedicError('BAD_REQUEST', `--port must be a TCP port number (0-65535), got "${value}"`, {
      field: '--port',
    });
  }
  return port;
}

export async function run(args: string[]): Promise<number> {
  let values: { cluster?: string | undefined; port?: string | undefined; help?: boolean | undefined };
  try {
    values = parseArgs({
      args,
      options: { cluster: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (error) {
    throw new MedicError('BAD_REQUEST', `${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.cluster) throw new MedicError('BAD_REQUEST', `--cluster is required\n\n${USAGE}`, { field: '--cluster' });
  const port = parsePort(values.port);
  const sandbox = await startSandbox({ file: values.cluster, port }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MedicError('BAD_REQUEST', `cannot read ${values.cluster}: no such file`, { field: '--cluster' });
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new MedicError('UNAVAILABLE', `port ${port} is already in use; choose another with --port`);
    }
    throw error;
  });
  process.stdout.write(
    `Sandbox cluster from ${values.cluster} listening on ${sandbox.url}\n` +
      `Try: kubectl --server ${sandbox.url} get pods -A\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await sandbox.close();
  process.stdout.write(`Sandbox stopped (${signal}).\n`);
  return 0;
}
