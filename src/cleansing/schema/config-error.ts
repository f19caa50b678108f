import { TukangError } from '../../errors/catalogue.js';

/** A schema problem found at start-up, naming the dataset and the field so the config can be fixed. */
export function schemaConfigError(dataset: string, field: string, problem: string): TukangError {
  const where = field === '' ? '' : ` field "${field}"`;
  return new TukangError('CONFIG_INVALID', `dataset "${dataset}": schema${where}: ${problem}`, { details: { dataset, field } });
}
