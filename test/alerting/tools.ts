/** Runs the Prometheus tools the alerting tests validate with (Debian packages prometheus, prometheus-alertmanager). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ToolResult {
  status: number | null;
  output: string;
}

export function runTool(command: string, args: string[], cwd = ROOT): ToolResult {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
