import { MedicError } from '../errors.js';

export async function run(_args: string[]): Promise<number> {
  throw new MedicError('INTERNAL', '`medic serve` is not built yet.');
}
