import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Database } from '../db/client';

/** What the HTTP layer needs: the read models, the Temporal client, and where workflows run. */
export interface ApiContext {
  db: Database;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  jwtSecret: string;
  /** Clock, injectable for tests. */
  now: () => Date;
}
