/** The tail of a container's log as evidence, the telling lines first (crash loops, probe kills, failed Jobs). */
import type { Evidence } from '../types.js';
import type { PlaybookContext } from './playbook.js';
import { type ContainerView, podName } from './pods.js';

const IMPORTANT_LINE =
  /fatal|error|panic|exception|fail|denied|refused|not set|missing|invalid|cannot|unable|exit status|timed out|deadline exceeded|no such file/i;

/**
 * The last lines of the instance that ended: the previous instance of a restarted container, or the current one of
 * a container that is terminated now (a Job's failed pod wrote its last words to the current log); `current` reads
 * a running container's log instead.
 */
export async function logEvidence(
  ctx: PlaybookContext,
  v: ContainerView,
  options: { maxLines?: number; current?: boolean } = {},
): Promise<Evidence[]> {
  const ns = v.pod.metadata?.namespace ?? 'default';
  const maxLines = options.maxLines ?? 3;
  const terminated = !!v.status.state?.terminated;
  const current = terminated || !!options.current;
  const text = await ctx.read(
    ctx.reader.logs(ns, podName(v.pod), v.status.name, { previous: !current, tailLines: 30 }),
    null,
  );
  const lines = (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) return [];
  const telling = lines.filter((l) => IMPORTANT_LINE.test(l)).slice(-maxLines);
  const shown = telling.length > 0 ? telling : lines.slice(-maxLines);
  const which = terminated ? 'Last' : current ? `Current (pod ${podName(v.pod)})` : 'Previous';
  return [{ kind: 'log', text: `${which} ${v.status.name} log: ${shown.join(' | ')}` }];
}
