/**
 * Persisting a line's events in the order they happened: whatever queued up while a write ran goes in
 * the next one, so a burst of commands on one line costs one database round trip.
 *
 * A write that retrying cannot fix (the database refused the data, or an invariant broke) must never
 * loop and never leave the workflow's state ahead of the database: the refused event and every event
 * decided after it (each stacked on its state) are dropped, their callers fail, and the workflow goes
 * back to the state before them. Events queued before the refused one are written as usual.
 */
import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { CreditLineState, LineEvent } from '../domain/line';
import { WRITE_REJECTED, type WriteRejection } from './messages';

/** What a caller whose event was dropped is told: nothing of it happened. */
export class EventsDropped extends Error {
  override readonly name = 'EventsDropped';
  constructor(readonly rejection: WriteRejection, readonly system: boolean) {
    super(`the line could not record this (${rejection.reason}); nothing was changed`);
  }
}

interface Group {
  events: LineEvent[];
  /** The line's state before the first of these events: where the line goes back to if one is refused. */
  before: CreditLineState;
  /** A command's events (its caller waits for them), or the line's own (cycle closes, penalties). */
  system: boolean;
  resolve: () => void;
  reject: (err: EventsDropped) => void;
}

export class LineWriter {
  private readonly queue: Group[] = [];
  private writing = false;

  constructor(
    private readonly write: (events: LineEvent[]) => Promise<unknown>,
    /** Called with the state to go back to when events were dropped. */
    private readonly rollBack: (to: CreditLineState, dropped: EventsDropped) => void,
  ) {}

  /** Resolves once `events` are written; rejects with `EventsDropped` if they never will be. */
  persist(events: LineEvent[], before: CreditLineState, system: boolean): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ events, before, system, resolve, reject });
      void this.drain();
    });
  }

  /** Nothing queued and nothing being written. */
  idle(): boolean {
    return !this.writing && this.queue.length === 0;
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        try {
          await this.write(batch.flatMap((g) => g.events));
          for (const g of batch) g.resolve();
        } catch (err) {
          const rejection = rejectionOf(err);
          if (!rejection) throw err;
          this.drop(batch, rejection);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** The group holding the refused event and everything after it go; the groups before it are written next. */
  private drop(batch: Group[], rejection: WriteRejection): void {
    let first = 0;
    for (let seen = 0; first < batch.length; first += 1) {
      seen += batch[first]!.events.length;
      if (seen > rejection.index) break;
    }
    const dropped = [...batch.slice(first), ...this.queue.splice(0)];
    this.queue.unshift(...batch.slice(0, first));
    const head = dropped[0];
    if (!head) return;
    const failure = new EventsDropped(rejection, head.system);
    log.error('line events refused by the database: dropped, state rolled back', {
      creditLineId: head.before.creditLineId, event: head.events[0]?.idempotencyKey, sqlstate: rejection.sqlstate, constraint: rejection.constraint, reason: rejection.reason, dropped: dropped.length,
    });
    this.rollBack(head.before, failure);
    for (const g of dropped) g.reject(failure);
  }
}

function rejectionOf(err: unknown): WriteRejection | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== WRITE_REJECTED) return null;
  const details = cause.details?.[0] as Partial<WriteRejection> | undefined;
  return { index: typeof details?.index === 'number' ? details.index : 0, sqlstate: details?.sqlstate, constraint: details?.constraint, reason: details?.reason ?? cause.message };
}
