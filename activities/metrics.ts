import client from 'prom-client';

/**
 * The worker's own figures, in a registry of their own: `/metrics` serves them beside the API's when
 * both run in one process (`revolve start`).
 */
export const activityRegistry = new client.Registry();

export const activityMetrics = {
  lineEventsRejected: new client.Counter({
    name: 'revolve_line_events_rejected_total',
    help: 'Line events the database refused for good (dropped by the workflow, state rolled back), by entry kind and SQLSTATE',
    labelNames: ['kind', 'sqlstate'] as const,
    registers: [activityRegistry],
  }),
};
