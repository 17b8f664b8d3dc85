import type { Logger } from 'pino';
import type { Database } from '../db/client';
import type { UnderwritingPolicy } from '../domain/underwriting';
import { createLedgerActivities } from './ledger';
import { createUnderwritingActivities } from './underwriting';

export interface ActivityDeps {
  db: Database;
  underwritingPolicy: UnderwritingPolicy;
  /** Where refusals and failures are logged (errors through the data-free serializer). */
  logger?: Logger;
}

/** Every activity the worker registers, built from its dependencies so tests pass real local ones. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createUnderwritingActivities({ db: deps.db, policy: deps.underwritingPolicy }),
    ...createLedgerActivities({ db: deps.db, ...(deps.logger ? { logger: deps.logger } : {}) }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
