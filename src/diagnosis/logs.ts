/** The tail of a container's log as evidence, the telling lines first (crash loops, probe kills, failed Jobs). */
import type { Evidence } from '../types.js';
import type { PlaybookContext } from './playbook.js';
import { type ContainerView, podName } from './pods.js';

const IMPORTANT_LINE =
  /fatal|error|panic|exception|fail|denied|refused|not set|missing|invalid|cannot|unable|exit status|timed out|deadline exceeded|no such file|read-only file system|not permitted|out of memory|heap space|no space left|illegal instruction|requires a CPU|segmentation fault|core dumped/i;

/**
 * The log lines (trimmed, non-empty; the last 30) of the instance that ended: the previous instance of a restarted
 * container, or the current one of a container that is terminated now (a Job's failed pod wrote its last words to
 * the current log); `current` reads a running container's log instead. One read per container and instance within
 * a diagnosis, whoever asks.
 */
export async function logLines(
  ctx: PlaybookContext,
  v: ContainerView,
  options: { current?: boolean } = {},
): Promise<string[]> {
  const current = !!v.status.state?.terminated || !!options.current;
  const text = await ctx.read(
    ctx.reader.logs(v.pod.metadata?.namespace ?? 'default', podName(v.pod), v.status.name, {
      previous: !current,
      tailLines: 30,
    }),
    null,
  );
  return (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The telling lines of logLines (else the last ones). */
export async function tellingLogLines(
  ctx: PlaybookContext,
  v: ContainerView,
  options: { maxLines?: number; current?: boolean } = {},
): Promise<string[]> {
  const maxLines = options.maxLines ?? 3;
  const lines = await logLines(ctx, v, options);
  const telling = lines.filter((l) => IMPORTANT_LINE.test(l)).slice(-maxLines);
  return telling.length > 0 ? telling : lines.slice(-maxLines);
}

/** tellingLogLines as one evidence line, saying which instance's log it is. */
export async function logEvidence(
  ctx: PlaybookContext,
  v: ContainerView,
  options: { maxLines?: number; current?: boolean } = {},
): Promise<Evidence[]> {
  const shown = await tellingLogLines(ctx, v, options);
  if (shown.length === 0) return [];
  const terminated = !!v.status.state?.terminated;
  const which = terminated ? 'Last' : options.current ? `Current (pod ${podName(v.pod)})` : 'Previous';
  return [{ kind: 'log', text: `${which} ${v.status.name} log: ${shown.join(' | ')}` }];
}
