/**
 * The baseline for the benchmark: a workflow whose one Update returns at once. Its round trip is
 * the least any Update costs on the same server, so the purchase's latency can be read against it.
 */
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const noopUpdate = defineUpdate<number, [number]>('noop');

export async function noopWorkflow(): Promise<void> {
  setHandler(noopUpdate, (n) => n);
  await condition(() => false);
}
