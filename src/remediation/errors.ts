/** How remediation says no: a guard rail (named) or an action that cannot apply to the cluster as it is. */
import { MedicError } from '../errors.js';

/** A refusal by a guard rail; `rail` names the medic.yaml setting (or rule) that stopped it. */
export function railRefusal(rail: string, message: string): MedicError {
  return new MedicError('GUARD_RAIL', `Refused by guard rail ${rail}: ${message}`, { field: rail, permanent: true });
}

/** The action does not fit the cluster (no such container, nothing to change, …): no retry can help. */
export function notApplicable(message: string): MedicError {
  return new MedicError('BAD_REQUEST', message, { permanent: true });
}

/**
 * The change is already in effect (nothing to do). Before an execution it refuses like any other reason; when
 * a retried job meets it, an earlier attempt applied the change and only its answer was lost.
 */
export class AlreadyInEffect extends MedicError {
  constructor(message: string) {
    super('CONFLICT', message, { permanent: true });
  }
}
