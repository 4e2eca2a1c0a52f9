import { MedicError } from '../errors.js';

export async function run(_args: string[]): Promise<number> {
  throw new MedicError('INTERNAL', '`medic sandbox` is not built yet.');
}
