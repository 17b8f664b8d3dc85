import type { Database } from '../db/client';
import type { UnderwritingPolicy } from '../domain/underwriting';
import { createLedgerActivities } from './ledger';
import { createUnderwritingActivities } from './underwriting';

export interface ActivityDeps {
  db: Database;
  underwritingPolicy: UnderwritingPolicy;
}

/** Every activity the worker registers, built from its dependencies so tests pass real local ones. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createUnderwritingActivities({ db: deps.db, policy: deps.underwritingPolicy }),
    ...createLedgerActivities({ db: deps.db }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
