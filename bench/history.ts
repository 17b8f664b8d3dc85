/**
 * What purchases cost in workflow history, read back from the server after the run: events per
 * purchase, events in the current run, and where a purchase's time goes inside its workflow task
 * (server event timestamps and the local activity's marker).
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { workflowIdFor } from '../workflows/messages';
import { percentiles, pool, type Percentiles } from './load';

const EventType = proto.temporal.api.enums.v1.EventType;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

export interface HistoryReport {
  sampledLines: number;
  /** Events of the current run, averaged over the sample. */
  avgEventsInRun: number;
  /** Purchases in the current run, averaged over the sample. */
  avgPurchasesInRun: number;
  /** (events from the first purchase's workflow task on) / purchases, over the whole sample. */
  eventsPerPurchase: number;
  /** Events of the purchase-related workflow tasks by type, per purchase. */
  eventTypesPerPurchase: Record<string, number>;
  /** The sampled line with the most purchases: its whole run's events / its purchases. */
  busiest: { creditLineId: string; events: number; purchases: number; ratio: number } | null;
  /** Inside the workflow task that decided each purchase (server timestamps), ms. */
  wftScheduleToStart: Percentiles;
  wftStartToComplete: Percentiles;
  /** The local activity (ledger write) from its schedule to its completion on the worker, ms, when the marker says. */
  localActivity: Percentiles;
  /** Purchases decided in a workflow task shared with another Update. */
  sharedTasks: number;
}

const ms = (t: proto.google.protobuf.ITimestamp | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;

function typeName(e: HistoryEvent): string {
  const name = EventType[e.eventType ?? 0] ?? String(e.eventType);
  return name.replace(/^EVENT_TYPE_/, '');
}

/** A local activity marker's schedule and completion times (core writes them as JSON in `data`). */
function markerTimes(e: HistoryEvent): { scheduled: number; completed: number } | null {
  const payloads = e.markerRecordedEventAttributes?.details?.['data']?.payloads;
  const data = payloads?.[0]?.data;
  if (!data) return null;
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { complete_time?: unknown; original_schedule_time?: unknown };
    const t = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : v && typeof v === 'object' ? Number((v as { seconds?: number }).seconds ?? 0) * 1000 + Number((v as { nanos?: number }).nanos ?? 0) / 1e6 : NaN);
    const scheduled = t(parsed.original_schedule_time);
    const completed = t(parsed.complete_time);
    return Number.isFinite(scheduled) && Number.isFinite(completed) ? { scheduled, completed } : null;
  } catch {
    return null;
  }
}

export async function analyseHistories(client: Client, creditLineIds: string[]): Promise<HistoryReport> {
  const perLine = await pool(creditLineIds, 10, async (creditLineId) => {
    const handle = client.workflow.getHandle(workflowIdFor(creditLineId));
    const description = await handle.describe();
    const history = await handle.fetchHistory(description.runId);
    return { creditLineId, historyLength: description.historyLength, events: history.events ?? [] };
  });

  let purchaseEvents = 0;
  let purchases = 0;
  let sharedTasks = 0;
  const types: Record<string, number> = {};
  const scheduleToStart: number[] = [];
  const startToComplete: number[] = [];
  const localActivity: number[] = [];
  let busiest: HistoryReport['busiest'] = null;

  for (const line of perLine) {
    const { events } = line;
    const accepted = events
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        && e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'purchase');
    if (accepted.length === 0) continue;
    purchases += accepted.length;
    // Every event from the workflow task that took the first purchase on is the purchases' doing.
    let first = accepted[0]!.i;
    while (first > 0 && events[first]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) first -= 1;
    purchaseEvents += events.length - first;
    for (const e of events.slice(first)) types[typeName(e)] = (types[typeName(e)] ?? 0) + 1;
    if (!busiest || accepted.length > busiest.purchases) {
      busiest = { creditLineId: line.creditLineId, events: line.historyLength, purchases: accepted.length, ratio: line.historyLength / accepted.length };
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
      // The ledger write's marker follows in the same task's events.
      for (let j = i + 1; j < events.length && events[j]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED; j++) {
        if (events[j]!.eventType === EventType.EVENT_TYPE_MARKER_RECORDED) {
          const times = markerTimes(events[j]!);
          if (times) localActivity.push(times.completed - times.scheduled);
          break;
        }
      }
    }
  }

  return {
    sampledLines: perLine.length,
    avgEventsInRun: perLine.reduce((a, l) => a + l.historyLength, 0) / Math.max(1, perLine.length),
    avgPurchasesInRun: purchases / Math.max(1, perLine.length),
    eventsPerPurchase: purchases > 0 ? purchaseEvents / purchases : NaN,
    eventTypesPerPurchase: Object.fromEntries(Object.entries(types).map(([k, v]) => [k, v / Math.max(1, purchases)])),
    busiest,
    wftScheduleToStart: percentiles(scheduleToStart.filter(Number.isFinite)),
    wftStartToComplete: percentiles(startToComplete.filter(Number.isFinite)),
    localActivity: percentiles(localActivity),
    sharedTasks,
  };
}
