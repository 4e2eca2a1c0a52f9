/** The MedicError a configuration step throws; any other outcome fails the test. */
import { MedicError } from '../../src/errors.js';

export function configError(fn: () => unknown): MedicError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MedicError) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}
