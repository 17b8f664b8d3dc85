import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { registerSearchAttributes } from '../../runtime/search-attributes';

/**
 * The time-skipping environment on the toolchain's test server, with Revolve's search attributes.
 * The SDK gives a starting server 5 s; a cold JVM on a loaded machine can miss that, so only the
 * start is retried. Whatever fails after the start tears the server down (no process outlives a test).
 */
export async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const executable = inject('testServer');
  let env: TestWorkflowEnvironment | undefined;
  for (let attempt = 1; !env; attempt++) {
    try {
      env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  try {
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    return env;
  } catch (err) {
    await env.teardown();
    throw err;
  }
}
