/**
 * `medic diagnose --alert PAYLOAD.json --cluster SNAPSHOT.yaml [--json]`: offline diagnosis. Serves the snapshot as
 * a sandbox API server in-process, runs the real playbooks through the real Kubernetes client, prints the result.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PLAYBOOKS } from '../../playbooks/index.js';
import { toAlertEvents, webhookPayloadSchema } from '../alertmanager/payload.js';
import { parseSettings } from '../config/load.js';
import { type Settings, settingsSchema } from '../config/settings.js';
import { createPlaybookEngine, type DiagnosisStats } from '../diagnosis/engine.js';
import { renderDiagnosisText } from '../diagnosis/render-text.js';
import { errorMessage, MedicError } from '../errors.js';
import { createKubeApis, loadKubeConfig } from '../kube/client.js';
import { createClusterReader } from '../kube/reader.js';
import { createLogger } from '../logger.js';
import { loadSnapshot, startSandbox } from '../sandbox/index.js';
import type { Diagnosis } from '../types.js';
import { firstIssue } from '../zod-issue.js';

const USAGE = `Usage: medic diagnose --alert PAYLOAD.json --cluster SNAPSHOT.yaml [--json] [--config medic.yaml] [--stats]

Diagnoses every alert of an Alertmanager webhook payload against a cluster snapshot (kubectl get … -o yaml),
offline: no Redis, no Slack. --json prints a JSON array, one diagnosis per alert; --stats prints the
Kubernetes API requests each diagnosis made to stderr.`;

export async function run(args: string[]): Promise<number> {
  const values = parseOptions(args);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.alert) throw new MedicError('BAD_REQUEST', `--alert is required\n\n${USAGE}`, { field: '--alert' });
  if (!values.cluster) throw new MedicError('BAD_REQUEST', `--cluster is required\n\n${USAGE}`, { field: '--cluster' });
  const payload = parsePayload(await readInput(values.alert, '--alert'), values.alert);
  const snapshot = await readInput(values.cluster, '--cluster');
  const settings: Settings = values.config
    ? parseSettings(await readInput(values.config, '--config'), values.config)
    : settingsSchema.parse({});

  const sandbox = await startSandbox({ objects: loadSnapshot(snapshot, values.cluster) });
  const stats: DiagnosisStats[] = [];
  try {
    const apis = createKubeApis(loadKubeConfig({ server: sandbox.url }));
    const engine = createPlaybookEngine({
      playbooks: PLAYBOOKS,
      reader: createClusterReader(apis),
      settings,
      logger: createLogger(process.env.LOG_LEVEL ?? 'silent'),
      onDiagnosis: (s) => stats.push(s),
    });
    const diagnoses: Diagnosis[] = [];
    for (const event of toAlertEvents(payload, Date.now())) {
      diagnoses.push(await engine.diagnose(event, AbortSignal.timeout(30_000)));
    }
    process.stdout.write(
      values.json ? `${JSON.stringify(diagnoses, null, 2)}\n` : diagnoses.map(renderDiagnosisText).join('\n\n'),
    );
    if (!values.json) process.stdout.write('\n');
    if (values.stats) {
      for (const s of stats) {
        process.stderr.write(
          `${s.fingerprint} ${s.playbook}: ${s.requests} Kubernetes API requests, ${s.durationMs.toFixed(0)} ms\n`,
        );
      }
    }
    return 0;
  } finally {
    await sandbox.close();
  }
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        alert: { type: 'string' },
        cluster: { type: 'string' },
        config: { type: 'string' },
        json: { type: 'boolean' },
        stats: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new MedicError('BAD_REQUEST', `${errorMessage(error)}\n\n${USAGE}`);
  }
}

async function readInput(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : errorMessage(error);
    throw new MedicError('BAD_REQUEST', `cannot read ${path} (${option}): ${why}`, { field: option });
  }
}

/** The webhook payload, or an error naming the file and the first bad field (`alerts[0].fingerprint`). */
export function parsePayload(text: string, source: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MedicError('BAD_REQUEST', `${source} is not valid JSON: ${errorMessage(error)}`, { field: '--alert' });
  }
  const parsed = webhookPayloadSchema.safeParse(json);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error, { whole: '(payload)' });
    throw new MedicError('BAD_REQUEST', `${source} is not an Alertmanager webhook payload: ${field}: ${message}`, {
      field,
    });
  }
  return parsed.data;
}
