import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { SmsProvider } from '../activities/sms';
import type { FaceVerifier } from '../activities/face-verification';
import type { Database } from '../db/client';

/** What the HTTP layer needs: the read models, the Temporal client, and where workflows run. */
export interface ApiContext {
  db: Database;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  jwtSecret: string;
  /** The clock reads are made at: the system's, or the time-skipping test server's (REVOLVE_CLOCK). */
  now: () => Date | Promise<Date>;
  /** The SMS gateway (SMS_PROVIDER) one-time codes are sent through while the customer waits; the log provider unless given. */
  sms?: SmsProvider;
  /** The face verification provider (FACE_VERIFICATION_URL), the other channel of a one-time verification; the local stand-in unless given. */
  face?: FaceVerifier;
}
