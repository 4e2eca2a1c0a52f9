/** Sandbox API servers for tests: a scenario snapshot served over HTTP, and real Kubernetes clients pointed at it. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createKubeApis, type KubeApis, type KubeClientOptions, loadKubeConfig } from '../../src/kube/client.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';

/** ../shared/scenarios, next to the repository. */
export const SCENARIOS_DIR = fileURLToPath(new URL('../../../shared/scenarios/', import.meta.url));

export function scenarioNames(): string[] {
  return readdirSync(SCENARIOS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The cluster.yaml of a scenario in ../shared/scenarios. */
export function scenarioCluster(name: string): string {
  return `${SCENARIOS_DIR}${name}/cluster.yaml`;
}

export interface TestCluster {
  sandbox: Sandbox;
  apis: KubeApis;
  close(): Promise<void>;
}

/** Starts a sandbox (a scenario's snapshot, a file, or objects) and a client for it; `close()` stops it. */
export async function startTestCluster(
  source: { scenario: string } | SandboxOptions,
  client: KubeClientOptions = {},
): Promise<TestCluster> {
  const options = 'scenario' in source ? { file: scenarioCluster(source.scenario) } : source;
  const sandbox = await startSandbox(options);
  const apis = createKubeApis(loadKubeConfig({ server: sandbox.url }), client);
  return { sandbox, apis, close: () => sandbox.close() };
}
