/** `silence`: an Alertmanager silence (API v2) created by "medic", ending after the given duration. */
import { parseDuration } from '../../config/duration.js';
import { MedicError } from '../../errors.js';
import { notApplicable } from '../errors.js';
import type { ActionHandler } from '../types.js';

/** The comment of a silence Medic creates for a proposal; the silence follower reads the proposal id back. */
export function medicSilenceComment(proposal: { id: string; title: string }): string {
  return `Medic proposal ${proposal.id}: ${proposal.title}`;
}

/** The proposal id in a silence comment written by medicSilenceComment, else undefined. */
export function proposalIdOfSilence(comment: string | undefined): string | undefined {
  return /^Medic proposal ([A-Za-z0-9_-]+): /.exec(comment ?? '')?.[1];
}

/** The outcome message of a created silence; createdSilenceId reads the id back from it. */
const createdMessage = (id: string, text: string, endsAt: Date) =>
  `silence ${id} created for {${text}} until ${endsAt.toISOString()}`;

export function createdSilenceId(outcomeMessage: string): string | undefined {
  return /^silence (\S+) created for /.exec(outcomeMessage)?.[1];
}

export const silenceAction: ActionHandler<'silence'> = {
  kind: 'silence',
  // A silence scoped to one namespace (`namespace="ads"`) counts against that namespace's rails.
  namespaceOf: (params) => params.matchers.find((m) => m.name === 'namespace' && !m.isRegex && m.isEqual)?.value,
  async plan(ctx, params) {
    const silences = ctx.silences;
    if (!silences) {
      throw new MedicError('CONFIG_INVALID', 'ALERTMANAGER_URL is not set, so Medic cannot create silences', {
        field: 'ALERTMANAGER_URL',
        permanent: true,
      });
    }
    const durationMs = parseDuration(params.duration);
    if (!durationMs) throw notApplicable(`duration "${params.duration}" must be like 30m, 2h or 1d`);
    const matchers = params.matchers.map((m) => ({ ...m }));
    const text = matchers
      .map((m) => `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '=~' : '='}"${m.value}"`)
      .join(', ');
    const startsAt = new Date(ctx.now());
    const endsAt = new Date(startsAt.getTime() + durationMs);
    return {
      diff: [{ field: 'Alertmanager silence', before: '(none)', after: `{${text}} until ${endsAt.toISOString()}` }],
      notes: ['Alertmanager has no dry run: Medic checked it answers; it validates the matchers on creation.'],
      async apply(dryRun) {
        if (dryRun) {
          await silences.checkReady(ctx.signal);
          return 'Alertmanager reachable';
        }
        const comment = ctx.proposal ? medicSilenceComment(ctx.proposal) : 'Created by Medic';
        const id = await silences.createSilence(
          { matchers, startsAt, endsAt, createdBy: 'medic', comment },
          ctx.signal,
        );
        return createdMessage(id, text, endsAt);
      },
    };
  },
};
