/**
 * What Updates cost in workflow history, read back from the server after the run: events per
 * Update, events in the current run, and how long the workflow task that decided each one took
 * (server event timestamps: schedule→start is dispatch to the worker, start→complete is the worker).
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { percentiles, pool, type Percentiles } from './load';

const EventType = proto.temporal.api.enums.v1.EventType;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

export interface HistoryReport {
  sampledLines: number;
  /** Events of the current run, averaged over the sample. */
  avgEventsInRun: number;
  /** Updates in the current run, averaged over the sample. */
  avgUpdatesInRun: number;
  /** (events from the first update's workflow task on) / updates, over the whole sample. */
  eventsPerUpdate: number;
  /** Events of the update-related workflow tasks by type, per update. */
  eventTypesPerUpdate: Record<string, number>;
  /** The sampled line with the most updates: its whole run's events / its updates. */
  busiest: { workflowId: string; events: number; updates: number; ratio: number } | null;
  /** Inside the workflow task that decided each update (server timestamps), ms. */
  wftScheduleToStart: Percentiles;
  wftStartToComplete: Percentiles;
  /** Updates decided in a workflow task shared with another Update. */
  sharedTasks: number;
}

const ms = (t: proto.google.protobuf.ITimestamp | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;

function typeName(e: HistoryEvent): string {
  const name = EventType[e.eventType ?? 0] ?? String(e.eventType);
  return name.replace(/^EVENT_TYPE_/, '');
}

/** Reads the current run of each workflow and relates its events to the Updates named `updateName`. */
export async function analyseHistories(client: Client, workflowIds: string[], updateName: string): Promise<HistoryReport> {
  const perLine = await pool(workflowIds, 10, async (workflowId) => {
    const description = await client.workflow.getHandle(workflowId).describe();
    const history = await client.workflow.getHandle(workflowId, description.runId).fetchHistory();
    return { workflowId, historyLength: description.historyLength, events: history.events ?? [] };
  });

  let updateEvents = 0;
  let updates = 0;
  let sharedTasks = 0;
  const types: Record<string, number> = {};
  const scheduleToStart: number[] = [];
  const startToComplete: number[] = [];
  let busiest: HistoryReport['busiest'] = null;

  for (const line of perLine) {
    const { events } = line;
    const accepted = events
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        && e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === updateName);
    if (accepted.length === 0) continue;
    updates += accepted.length;
    // Every event from the workflow task that took the first update on is the updates' doing.
    let first = accepted[0]!.i;
    while (first > 0 && events[first]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) first -= 1;
    updateEvents += events.length - first;
    for (const e of events.slice(first)) types[typeName(e)] = (types[typeName(e)] ?? 0) + 1;
    if (!busiest || accepted.length > busiest.updates) {
      busiest = { workflowId: line.workflowId, events: line.historyLength, updates: accepted.length, ratio: line.historyLength / accepted.length };
    }

    for (const { i } of accepted) {
      let completed = i;
      while (completed > 0 && events[completed]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) completed -= 1;
      let started = completed;
      while (started > 0 && events[started]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) started -= 1;
      let scheduled = started;
      while (scheduled > 0 && events[scheduled]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) scheduled -= 1;
      scheduleToStart.push(ms(events[started]!.eventTime) - ms(events[scheduled]!.eventTime));
      startToComplete.push(ms(events[completed]!.eventTime) - ms(events[started]!.eventTime));
      // Another Update accepted in the same task?
      const next = events[i + 1];
      const prev = events[i - 1];
      if ((next && next.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) || (prev && prev.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)) sharedTasks += 1;
    }
  }

  return {
    sampledLines: perLine.length,
    avgEventsInRun: perLine.reduce((a, l) => a + l.historyLength, 0) / Math.max(1, perLine.length),
    avgUpdatesInRun: updates / Math.max(1, perLine.length),
    eventsPerUpdate: updates > 0 ? updateEvents / updates : NaN,
    eventTypesPerUpdate: Object.fromEntries(Object.entries(types).map(([k, v]) => [k, v / Math.max(1, updates)])),
    busiest,
    wftScheduleToStart: percentiles(scheduleToStart.filter(Number.isFinite)),
    wftStartToComplete: percentiles(startToComplete.filter(Number.isFinite)),
    sharedTasks,
  };
}
