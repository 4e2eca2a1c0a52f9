/**
 * A memory quantity written with CPU's suffix: "512m" is 512 milli-bytes (half a byte), not 512 MiB, and the API
 * server accepts it. Under such a limit the runtime cannot start the container (runc's "unable to set memory limit
 * to 1 (current usage: …)") or the kernel kills it at once; a raise computed from it (double half a byte) means
 * nothing. What was meant is the same number in Mi. Pure.
 */
import type { Container } from '../kube/reader.js';

const MILLI = /^(\d+(?:\.\d+)?)m$/;

export interface MemoryTypo {
  field: 'limit' | 'request';
  /** As written: "512m". */
  written: string;
  /** What was meant: "512Mi". */
  intended: string;
}

/** The container's memory limit (else request) written in milli-units, with what was meant. */
export function memoryUnitTypo(container: Container | undefined): MemoryTypo | null {
  const resources = container?.resources;
  for (const [field, value] of [
    ['limit', resources?.limits?.memory],
    ['request', resources?.requests?.memory],
  ] as const) {
    const m = MILLI.exec(String(value ?? ''));
    if (m?.[1]) return { field, written: String(value), intended: `${m[1]}Mi` };
  }
  return null;
}

/** The reading, for a crash or an OOM kill of a container under such a quantity. */
export function memoryTypoWords(container: string, typo: MemoryTypo): string {
  return `container ${container}'s memory ${typo.field} is "${typo.written}": the m suffix means milli, so that is a fraction of a byte, not ${typo.intended.replace('Mi', ' MiB')}, and no process runs under it. Write ${typo.intended} (or the size meant, with Mi or Gi)`;
}
