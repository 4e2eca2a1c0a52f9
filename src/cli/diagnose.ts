import { MedicError } from '../errors.js';

export async function run(_args: string[]): Promise<number> {
  throw new MedicError('INTERNAL', '`medic diagnose` is not built yet.');
}
