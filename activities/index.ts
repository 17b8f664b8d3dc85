import type { Client } from '@temporalio/client';
import pino, { type Logger } from 'pino';
import type { Database } from '../db/client';
import type { Scorecard } from '../domain/scoring/scorecard';
import type { UnderwritingPolicy } from '../domain/underwriting';
import { systemClock, type Clock } from '../runtime/clock';
import type { ApplicantDataProviders } from './applicant-data';
import { createApprovalActivities } from './approvals';
import { createLedgerActivities } from './ledger';
import { createNotificationActivities } from './notifications';
import { logSmsProvider, type SmsProvider } from './sms';
import { createUnderwritingActivities } from './underwriting';

export interface ActivityDeps {
  db: Database;
  underwritingPolicy: UnderwritingPolicy;
  /** Where refusals and failures are logged (errors through the data-free serializer). */
  logger?: Logger;
  /** The SMS gateway (SMS_PROVIDER); the local `log` provider unless given. */
  sms?: SmsProvider;
  /** The time activities act at (REVOLVE_CLOCK); the system's unless given. */
  clock?: Clock;
  /** The bureau and platform-history providers (BUREAU_URL, PLATFORM_HISTORY_URL); the synthetic stand-ins unless given. */
  applicantData?: ApplicantDataProviders;
  /** The credit scorecard; the committed current one (activities/scorecard.ts) unless given. */
  scorecard?: Scorecard;
  /** A Temporal client, for the Updates an approved maker–checker request sends to its line (runtime/worker.ts makes one on the worker's connection). */
  temporal?: Client;
}

/** Every activity the worker registers, built from its dependencies so tests pass real local ones. */
export function createActivities(deps: ActivityDeps) {
  const logger = deps.logger ?? pino({ level: 'error' });
  return {
    ...createUnderwritingActivities({ db: deps.db, policy: deps.underwritingPolicy, clock: deps.clock, applicantData: deps.applicantData, scorecard: deps.scorecard }),
    ...createLedgerActivities({ db: deps.db, logger }),
    ...createNotificationActivities({ db: deps.db, sms: deps.sms ?? logSmsProvider(logger), clock: deps.clock ?? systemClock }),
    ...createApprovalActivities({ db: deps.db, temporal: deps.temporal }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
