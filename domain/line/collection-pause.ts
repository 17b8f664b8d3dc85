/**
 * Collection pauses (PRODUCT §10): staff pause collection on an overdue line for a bounded time (a
 * dispute, a hospital stay), with a reason, and may end the pause early.
 *
 * - Only while something is overdue (the ladder is working the line): else `NOT_OVERDUE`.
 * - `until` is an instant after the moment the line decides, at most `product.collections.maxPauseDays`
 *   days after it. Asking again while paused replaces the end (extends or shortens), bounded the same way.
 * - While paused the ladder holds whole (ladder-holds.ts): no collection contact (its SMS and in-app
 *   notices), and no step taken either (no hand-over to the collections queue, no charge-off): a dispute
 *   or a hospital stay is exactly when a line should not be passed to collectors or written off. Days
 *   past due go on counting, and penalties accrue as configured (PRODUCT §7 does not stop them).
 * - At `until` (the line wakes for it, collections.ts `nextLadderAt`), or when staff end it early, the
 *   ladder resumes by itself: the steps reached meanwhile are carried out at once, and only the latest
 *   speaks (the ladder's rule for steps reached together).
 * - Paying everything overdue cures as always, and the pause ends with the ladder.
 * - Reminders before a due date and statement notices are not collection and go on.
 * The reason is audited with the staff member; it stays out of the line's state (it may be about health).
 */
import { instantMs, type Instant } from '../calendar';
import { freeTextProblem } from '../free-text';
import { daysPastDue, oldestUnpaidDueDate } from '../penalty';
import { refusal, type CommandBase, type Decider } from './decider';
import type { LineState } from './state';

const DAY_MS = 86_400_000;

export interface PauseCollectionCommand extends CommandBase {
  type: 'pauseCollection';
  /** ISO-8601 instant with its offset. */
  until: Instant;
  /** Why (free text): the audit trail's why. */
  reason: string;
}

export interface ResumeCollectionCommand extends CommandBase {
  type: 'resumeCollection';
  note: string;
}

export interface CollectionPauseBody {
  /** The end of the pause (UTC), or null once it has ended. */
  pausedUntil: Instant | null;
  daysPastDue: number;
  /** The ladder's stage (the last step carried out). */
  stage: string | null;
}

export interface PauseCollectionFeature {
  command: PauseCollectionCommand;
  body: CollectionPauseBody;
  code: 'VALIDATION_FAILED' | 'LINE_NOT_ACTIVE' | 'NOT_OVERDUE' | 'PAUSE_NOT_IN_FUTURE' | 'PAUSE_TOO_LONG';
}

export interface ResumeCollectionFeature {
  command: ResumeCollectionCommand;
  body: CollectionPauseBody;
  code: 'VALIDATION_FAILED' | 'LINE_NOT_ACTIVE' | 'NOT_PAUSED';
}

function isInstant(value: unknown): value is Instant {
  if (typeof value !== 'string') return false;
  try {
    instantMs(value);
    return true;
  } catch {
    return false;
  }
}

const textProblem = (text: unknown): string | null => (typeof text !== 'string' || text.trim().length === 0 ? 'must not be empty' : freeTextProblem(text));

/** A line the ladder can be working: open, closing (a closing line is still collected), not charged off. */
const collectable = (state: LineState) => state.status === 'ACTIVE' || state.status === 'SUSPENDED' || state.status === 'CLOSING';

/** Whether a pause is running at `now`. */
export const pausedAt = (state: LineState, now: Instant): boolean =>
  state.collection?.pausedUntil !== undefined && instantMs(state.collection.pausedUntil) > instantMs(now);

const body = (state: LineState, pausedUntil: Instant | null, day: string): CollectionPauseBody => ({
  pausedUntil, daysPastDue: daysPastDue(oldestUnpaidDueDate(state.balances, day), day), stage: state.collection?.stage ?? null,
});

export const pauseCollection: Decider<PauseCollectionFeature> = {
  kind: 'COLLECTION_PAUSED',

  validate(command) {
    if (!isInstant(command.until)) return { code: 'VALIDATION_FAILED', message: 'until must be an ISO-8601 instant with its offset' };
    const reason = textProblem(command.reason);
    return reason ? { code: 'VALIDATION_FAILED', message: `reason ${reason}` } : null;
  },

  decide(state, command, day, product, _rules, now) {
    if (!collectable(state)) return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
    const collection = state.collection;
    if (!collection || oldestUnpaidDueDate(state.balances, day) === null) {
      return refusal(state.balances, command.type, 'NOT_OVERDUE', 'nothing on the line is overdue: there is no collection to pause');
    }
    const until = instantMs(command.until);
    if (until <= instantMs(now)) return refusal(state.balances, command.type, 'PAUSE_NOT_IN_FUTURE', 'until must be after now');
    const maxDays = product.collections.maxPauseDays;
    if (until > instantMs(now) + maxDays * DAY_MS) return refusal(state.balances, command.type, 'PAUSE_TOO_LONG', `a pause lasts at most ${maxDays} days from now`);
    const pausedUntil = new Date(until).toISOString();
    return {
      balances: state.balances,
      changes: { collection: { ...collection, pausedUntil } },
      result: { ok: true, type: 'pauseCollection', body: body(state, pausedUntil, day) },
    };
  },
};

export const resumeCollection: Decider<ResumeCollectionFeature> = {
  kind: 'COLLECTION_RESUMED',

  validate(command) {
    const note = textProblem(command.note);
    return note ? { code: 'VALIDATION_FAILED', message: `note ${note}` } : null;
  },

  decide(state, command, day, _product, _rules, now) {
    if (!collectable(state)) return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
    const collection = state.collection;
    if (!collection || !pausedAt(state, now)) return refusal(state.balances, command.type, 'NOT_PAUSED', 'collection is not paused on this line');
    const { pausedUntil: _ended, ...resumed } = collection;
    return {
      balances: state.balances,
      changes: { collection: resumed },
      result: { ok: true, type: 'resumeCollection', body: body(state, null, day) },
    };
  },
};
