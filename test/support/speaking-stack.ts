import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { webhookSmsProvider } from '../../activities/sms';
import type { FaceVerifier } from '../../activities/face-verification';
import { loadEnv } from '../../config/env';
import { instantMs } from '../../domain/calendar';
import { provideClock, type Clock } from '../../runtime/clock';
import { smsReceiver } from './sms-receiver';
import { startStack, type TestStack } from './stack';
import { timeSkippingEnvironment } from './temporal';

export interface SpeakingStack {
  env: TestWorkflowEnvironment;
  stack: TestStack;
  /** What the local SMS gateway received, in order. */
  received: ReturnType<typeof smsReceiver>['received'];
  /** Skips the time-skipping server's clock to `instant` (if it is ahead). */
  skipTo(instant: string): Promise<void>;
  /** Every line the API and the activities logged (at trace level), for scans for personal data. */
  logs: string[];
}

/**
 * For an e2e file whose lines speak and whose months must pass: the API and a worker on the
 * time-skipping server with REVOLVE_CLOCK's clock, SMS to a local webhook receiver answering
 * `status`; started before the file's tests, stopped after.
 */
export function useSpeakingStack(opts: { status: number; face?: FaceVerifier }): SpeakingStack {
  const receiver = smsReceiver({ status: opts.status });
  let clock: { clock: Clock; close: () => Promise<void> } | undefined;
  const logs: string[] = [];
  const fixture = {
    received: receiver.received,
    logs,
    async skipTo(instant: string) {
      const ms = instantMs(instant) - await fixture.env.currentTimeMs();
      if (ms > 0) await fixture.env.sleep(ms);
    },
  } as SpeakingStack;
  beforeAll(async () => {
    await receiver.start();
    fixture.env = await timeSkippingEnvironment();
    clock = await provideClock(loadEnv({ REVOLVE_CLOCK: 'temporal-test-server', TEMPORAL_ADDRESS: fixture.env.address }));
    fixture.stack = await startStack({ timeSkipping: fixture.env, now: clock.clock, sms: webhookSmsProvider({ url: receiver.url(), timeoutMs: 2000 }), ...(opts.face ? { face: opts.face } : {}),
      logger: pino({ level: 'trace' }, { write: (line: string) => { logs.push(line); } }),
    });
  });
  afterAll(async () => {
    await fixture.stack?.stop();
    await clock?.close();
    await fixture.env?.teardown();
    await receiver.stop();
  });
  return fixture;
}
