import { Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { tsToMs } from '@temporalio/common/lib/time';
import type { Env } from '../config/env';

/** The moment reads and decisions outside workflows are made at. */
export type Clock = () => Date | Promise<Date>;

export const systemClock: Clock = () => new Date();

/**
 * REVOLVE_CLOCK (API.md): `system`, or `temporal-test-server`, where the time is the time-skipping
 * test server's at TEMPORAL_ADDRESS, so a tester who skips a month through that server sees the line
 * a month later through the real API. Refused at start-up when the server has no test service.
 */
export async function provideClock(env: Env): Promise<{ clock: Clock; close: () => Promise<void> }> {
  if (env.REVOLVE_CLOCK === 'system') return { clock: systemClock, close: async () => undefined };
  // How the SDK's own TestWorkflowEnvironment asks for the test service (an internal option).
  const options = { address: env.TEMPORAL_ADDRESS, [InternalConnectionOptionsSymbol]: { supportsTestService: true } };
  const connection = await Connection.connect(options as Parameters<typeof Connection.connect>[0]);
  const testServerTime = async () => {
    const { time } = await connection.testService!.getCurrentTime({});
    return new Date(tsToMs(time));
  };
  try {
    await testServerTime();
  } catch (err) {
    await connection.close();
    throw new Error(`REVOLVE_CLOCK=temporal-test-server, but ${env.TEMPORAL_ADDRESS} answers no test service (is it the time-skipping test server?): ${(err as Error).message}`);
  }
  return { clock: testServerTime, close: () => connection.close() };
}
