import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

// class-validator's own type for a validated class.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Target = Function;

type Lookup = (
  targetConstructor: Target,
  targetSchema: string,
  always: boolean,
  strictGroups: boolean,
  groups?: string[],
) => ValidationMetadata[];

let installed = false;

/**
 * class-validator looks up a class's rules for every object it validates by testing the class against every class
 * that has rules (an `instanceof` per DTO class); a batch send validates some sixty objects, and that scan was a
 * tenth of the request's CPU. The rules are fixed once the classes are loaded, so the answer is remembered per class,
 * and forgotten whenever a rule is added.
 */
export function cacheValidationMetadata(): void {
  if (installed) return;
  installed = true;
  const storage = getMetadataStorage();
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const addValidation = storage.addValidationMetadata.bind(storage);
  const addConstraint = storage.addConstraintMetadata.bind(storage);
  // Keyed by class, then by the options that change the answer; lookups with groups are not remembered.
  let cache = new Map<Target, Map<string, ValidationMetadata[]>>();

  storage.getTargetValidationMetadatas = (targetConstructor, targetSchema, always, strictGroups, groups) => {
    if (groups && groups.length > 0)
      return lookup(targetConstructor, targetSchema, always, strictGroups, groups);
    const key = `${targetSchema}|${always}|${strictGroups}`;
    let byOptions = cache.get(targetConstructor);
    if (!byOptions) cache.set(targetConstructor, (byOptions = new Map()));
    let metadata = byOptions.get(key);
    if (!metadata) {
      metadata = lookup(targetConstructor, targetSchema, always, strictGroups, groups);
      byOptions.set(key, metadata);
    }
    return metadata;
  };
  storage.addValidationMetadata = (metadata) => {
    cache = new Map();
    addValidation(metadata);
  };
  storage.addConstraintMetadata = (metadata) => {
    cache = new Map();
    addConstraint(metadata);
  };
}
