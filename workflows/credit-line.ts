import {
  type ActivityOptions, ApplicationFailure, allHandlersFinished, condition, continueAsNew, log, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { instantMs, localDay } from '../domain/calendar';
import {
  advance, decide, LineInvariantError, nextWakeUp, openedEvent, payoff, quoteInstallments, rememberedAnswer, smsDue, smsSettled, validateCommand,
  nextLadderAt, nextReminderAt, nextSmsAt, closesBetween, limitChangeFor, limitReviewDue, recordStatementCloses, reviewed, type AdvanceRules, type Command, type CommandResult, type CreditLineState, type DecisionRules, type WakeUp,
} from '../domain/line';
import { MoneyInvariantError } from '../domain/money';
import { BalanceInvariantError } from '../domain/balances';
import { nowIso } from './clock';
import { EventsDropped, LineWriter } from './line-writer';
import { OperatorView } from './operator-view';
import { registerLineCommands } from './line-commands';
import { Underwriting } from './underwriting';
import { STANDARD_PRODUCT, type Product } from '../domain/product';
import {
  installmentQuoteQuery, lineQuery, payoffQuery, stateQuery, WRITE_REJECTED,
  type CreditLineInput, type CreditLineStatus, type CreditLineView,
} from './messages';

// The workflow's state has already moved when a ledger write is scheduled, so the write must land:
// it retries until it does (an unbalanced entry is a bug, not a condition to retry).
const LEDGER_WRITE: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: [WRITE_REJECTED] },
};
// An activity the history records before it runs (patch `durable-writes`): every attempt writes what
// was decided. It was a local activity: a workflow task lost after its write committed let the line
// decide the command again and forget an answer the database kept (found by the chaos run).
const { applyLineEvents } = proxyActivities<Activities>(LEDGER_WRITE);
const { applyLineEvents: applyLineEventsInTask } = proxyLocalActivities<Activities>(LEDGER_WRITE);

// The model re-scores a line at a statement: bounded, so a line never waits long to start its next run.
const { rescoreLine } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['APPLICATION_NOT_FOUND'] },
});

// An SMS is delivered at least once (idempotent by its id), retried with backoff for two days (a
// retry that would land in quiet hours is deferred by the activity itself), then marked FAILED.
const { deliverSms, markSmsUndeliverable } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '2 days',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', nonRetryableErrorTypes: ['MESSAGE_NOT_FOUND'] },
});

/** Whether this run speaks to the customer (lines replaying history from before notifications do not). */
const speaks = (): boolean => patched('notifications');
/** Whether this run sends reminders before due dates (not in history from before them). */
const reminds = (): boolean => patched('reminders');
/** Whether this run works the overdue ladder (not in history from before it). */
const collects = (): boolean => patched('collections');
/**
 * Whether this run shows the line's status in the UI as it changes (SUSPENDED at once, not from the
 * next run) and wakes when a command brings its next moment forward (a suspension's SMS goes at once).
 */
const showsStatusAtOnce = (): boolean => patched('status-and-news');
/** Whether this run keeps the line's repayment record and reviews its limit at statements (PRODUCT §8). */
const reviewsLimits = (): boolean => patched('risk');
/** Whether this run writes its events in activities the history records first (not local activities). */
const writesDurably = (): boolean => patched('durable-writes');
/** Whether this run charges a day's penalty from the day's first moment (API.md: reads include the day's penalty). */
const chargesToday = (): boolean => patched('penalty-through-today');

/** After the line's own events were refused (a bug), catching up waits this long, doubling each time. */
const CATCH_UP_PAUSE_MS = { min: 60_000, max: 24 * 3600_000 };

/**
 * The decision rules of this run: each change to a running line's decisions is behind a patch (one
 * marker per run and patch, so changes released together share one).
 */
const decisionRules = (): DecisionRules => {
  const solidGround = patched('solid-ground');
  const riskRules = patched('risk');
  const hardshipCaseAndHold = patched('hardship-case-and-hold');
  return { refuseOverpayment: solidGround, validateFreeText: solidGround, riskRules, restructuredCases: hardshipCaseAndHold, staffKeepsOwnHold: hardshipCaseAndHold };
};

/** What a command's caller gets when it could not be carried out: a clear failure, never a stuck task. */
function commandFailure(err: unknown, creditLineId: string, type: Command['type']): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (!(err instanceof EventsDropped)) log.error('a command failed on a broken invariant; nothing was changed', { creditLineId, command: type, reason });
  return ApplicationFailure.create({ type: 'COMMAND_FAILED', message: 'the command could not be carried out; nothing was changed', nonRetryable: true, details: [{ reason }] });
}

/** The server caps Updates per run (history.maxTotalUpdates, 2,000 by default): a fresh run well before. */
const COMMANDS_PER_RUN = 1000;

/** The product a line runs on; a second product is a configuration, not code. */
function productFor(productId: string): Product {
  if (productId !== STANDARD_PRODUCT.id) throw ApplicationFailure.nonRetryable(`unknown product ${productId}`, 'UNKNOWN_PRODUCT');
  return STANDARD_PRODUCT;
}

/** One customer's credit line, from application to closure; continues as new at every statement. */
export async function creditLine(input: CreditLineInput): Promise<CreditLineView> {
  const product = productFor(input.productId);
  let line: CreditLineState | null = input.carried ?? null;
  let status: CreditLineStatus = line ? line.status : 'UNDERWRITING';
  const underwriting = new Underwriting(input, product);

  const view = (): CreditLineView => ({
    creditLineId: input.creditLineId, customerId: input.customerId, status,
    limit: line?.limit ?? null, version: line?.version ?? underwriting.version,
  });
  setHandler(stateQuery, view);
  setHandler(lineQuery, () => line);
  // Queries bring the line up to `at` by the rules its run acts on (a query cannot ask for patches itself).
  let timeRules: AdvanceRules = {};
  const rulesOfRun = (): AdvanceRules => (timeRules = { reminders: reminds(), collections: collects(), penaltyThroughToday: chargesToday() });
  setHandler(installmentQuoteQuery, ({ statementId, count, at }) =>
    line ? quoteInstallments(advance(line, at, product, timeRules).state, statementId, count, localDay(at), product) : { ok: false, code: 'LINE_NOT_ACTIVE', message: 'the line is not open' });
  setHandler(payoffQuery, ({ at }) => (line ? payoff(advance(line, at, product, timeRules).state, localDay(at)) : null));

  // ── Persisting events in order; a write refused for good drops its events and rolls the line back ──
  let catchUpPausedUntil = 0;
  let catchUpPause = 0;
  const writer = new LineWriter(
    (events) => (writesDurably() ? applyLineEvents(events) : applyLineEventsInTask(events)),
    (before, dropped) => {
      line = before;
      // The line's own events (a close, a penalty) would be made again at once: wait before retrying.
      if (dropped.system) pauseCatchUp();
    },
  );
  const pauseCatchUp = () => {
    catchUpPause = Math.min(Math.max(catchUpPause * 2, CATCH_UP_PAUSE_MS.min), CATCH_UP_PAUSE_MS.max);
    catchUpPausedUntil = Date.now() + catchUpPause;
  };
  const allWritten = () => writer.idle();

  // ── What operators see in the Temporal UI (search attributes), upserted only when changed ──
  const operatorView = new OperatorView();
  const showInUi = () => {
    // The line's status as it is (patch `status-and-news`); before it, a closure's statuses only (no run
    // before closure existed has them), and other changes of status showed from the line's next run.
    if (line && (showsStatusAtOnce() || line.status === 'CLOSING' || line.status === 'CLOSED' || status === 'CLOSING')) status = line.status;
    operatorView.show(status, line);
  };

  /**
   * Brings the line up to now (cycle closes, penalties) and schedules what that wrote. A broken
   * invariant here is a bug: logged, and retried after a pause, while commands go on being answered.
   */
  const catchUp = (): void => {
    if (!line || Date.now() < catchUpPausedUntil) return;
    const before = line;
    let advanced: ReturnType<typeof advance>;
    try {
      advanced = advance(line, nowIso(), product, rulesOfRun());
    } catch (err) {
      if (!(err instanceof LineInvariantError || err instanceof MoneyInvariantError || err instanceof BalanceInvariantError)) throw err;
      log.error('the line could not be brought up to date', { creditLineId: input.creditLineId, error: err.name, reason: err.message });
      pauseCatchUp();
      return;
    }
    line = advanced.state;
    if (advanced.events.length > 0) catchUpPause = 0;
    // A refusal is handled by the writer (rolled back and logged); nobody waits for these.
    writer.persist(advanced.events, before, true).catch(() => undefined);
  };

  // ── Speaking: SMS written to the outbox are delivered when due, once written ──
  const delivering = new Set<string>();
  const deliver = async (messageId: string) => {
    try {
      await deliverSms(messageId);
    } catch (err) {
      log.error('an SMS was not delivered within its retry window; marked FAILED', { creditLineId: input.creditLineId, messageId, reason: err instanceof Error ? err.message : String(err) });
      await markSmsUndeliverable(messageId).catch(() => undefined);
    } finally {
      delivering.delete(messageId);
      if (line) line = smsSettled(line, messageId);
    }
  };
  const deliverDue = () => {
    if (!line || !writer.idle()) return; // an SMS is handed over only once its event is written
    for (const id of smsDue(line, nowIso())) {
      if (delivering.has(id)) continue;
      delivering.add(id);
      void deliver(id);
    }
  };
  /** The next moment to wake: the line's own, and (when it speaks) its next SMS not already being delivered. */
  const wakeUpAt = (state: CreditLineState): number => {
    // Patches are asked in the order they were made: each first ask records a marker, in that order.
    const wakeUps: WakeUp[] = [...(speaks() ? [nextSmsAt] : []), ...(reminds() ? [nextReminderAt] : []), ...(collects() ? [nextLadderAt] : [])];
    rulesOfRun();
    const waiting = { ...state, pendingSms: (state.pendingSms ?? []).filter((p) => !delivering.has(p.id)) };
    // A closed line has no cycle any more: it wakes for an SMS still to hand over; one in delivery wakes
    // the loop when it settles (its condition), so the day is only a bound.
    if (state.status === 'CLOSED') return Date.parse(nextSmsAt(waiting) ?? new Date(Date.now() + 24 * 3600_000).toISOString());
    return Date.parse(nextWakeUp(waiting, wakeUps, product));
  };
  /** Whether an SMS not yet being delivered is due before `ms` (and catching up is not paused). */
  const smsBefore = (ms: number): boolean => line !== null && catchUpPausedUntil < ms
    && (line.pendingSms ?? []).some((p) => !delivering.has(p.id) && instantMs(p.sendAt) < ms);
  /** A closed line whose SMS are all delivered (or given up): its run can end (PRODUCT §9). */
  const closedAndQuiet = (): boolean => line?.status === 'CLOSED' && (line.pendingSms ?? []).length === 0 && delivering.size === 0;
  /**
   * Whether a closure moved the line since `from` (its notice goes at once, the end comes when due), or
   * a closed line has nothing left in flight. No line of a run before closure existed is ever CLOSING
   * or CLOSED, so this never wakes one of them.
   */
  const closureMoved = (from: CreditLineState): boolean => line !== null
    && ((line.status !== from.status && [line.status, from.status].some((s) => s === 'CLOSING' || s === 'CLOSED')) || (from.status === 'CLOSED' && closedAndQuiet()));

  // ── Money commands: decided synchronously (credit is taken before anything is awaited), persisted in order ──
  let commandsThisRun = 0;
  const runIsFull = () => workflowInfo().continueAsNewSuggested || commandsThisRun >= COMMANDS_PER_RUN;
  const handle = async (command: Command): Promise<CommandResult> => {
    commandsThisRun += 1;
    if (!line) return { ok: false, type: command.type, code: 'LINE_NOT_ACTIVE', message: `the line is ${status.toLowerCase()}` };
    try {
      const remembered = rememberedAnswer(line, command);
      if (remembered) {
        await condition(allWritten); // the first answer is on disk before it is given again
        return remembered;
      }
      catchUp();
      const before = line;
      const decided = decide(line, command, nowIso(), product, decisionRules());
      line = decided.state;
      const written = writer.persist([decided.event], before, false);
      // A repayment that pays everything overdue (or a waiver that forgives the last of it) cures at once (the ladder stops, OVERDUE lifts).
      if ((command.type === 'repayment' || command.type === 'waiveFees') && decided.result.ok && line.collection && collects()) catchUp();
      // A CLOSING line whose balance this reached zero closes at once (advance); no run before closure has one.
      if (line.status === 'CLOSING') catchUp();
      // A pause ended early by staff: the ladder takes the steps it held at once.
      if (command.type === 'resumeCollection' && decided.result.ok) catchUp();
      await written;
      showInUi();
      return decided.result;
    } catch (err) {
      // Never a failed workflow task: the caller gets an answer, and the line is as it was before.
      throw commandFailure(err, input.creditLineId, command.type);
    }
  };
  const validator = (command: Command) => {
    if (!line) throw ApplicationFailure.create({ type: 'LINE_NOT_ACTIVE', message: `the line is ${status.toLowerCase()}`, nonRetryable: true });
    const invalid = validateCommand(command, product);
    // Wrong in itself (not a decision about this line): refused before it enters history.
    if (invalid) throw ApplicationFailure.create({ type: invalid.code, message: invalid.message, nonRetryable: true });
  };
  registerLineCommands(handle, validator);

  /**
   * After a statement closed: the line's repayment record, and a limit review when one is due (PRODUCT
   * §8). The model runs in an activity; a failure skips this review (the next statement tries again).
   */
  const reviewLimit = async (closedFrom: string) => {
    if (!line) return;
    const day = localDay(nowIso());
    line = recordStatementCloses(line, closesBetween(closedFrom, line.nextStatementDate, line.statementDay), day);
    const review = limitReviewDue(line, product, day);
    if (!review) return;
    line = reviewed(line);
    try {
      const scored = await rescoreLine({ creditLineId: input.creditLineId, behaviour: review.behaviour });
      const change = line ? limitChangeFor(line, review, scored, product, closedFrom) : null;
      if (change) await handle(change);
    } catch (err) {
      log.warn('the limit review was skipped; the next statement tries again', { creditLineId: input.creditLineId, reason: err instanceof Error ? err.message : String(err) });
    }
  };

  // ── Underwriting (first run only; its Update is registered on every run and refused outside a review) ──
  underwriting.listen();

  if (!line) {
    const underwritten = await underwriting.run();
    if (!underwritten.approved) {
      status = 'DECLINED';
      showInUi();
      return view();
    }
    const opened = openedEvent(underwritten.line, nowIso(), product, underwritten.decidedBy);
    line = opened.state;
    status = line.status;
    showInUi();
    await writer.persist([opened.event], underwritten.line, true);
  }
  showInUi();

  // ── The line's life: wait for the next moment due (or a command), act, repeat ──
  for (;;) {
    const current: CreditLineState = line;
    // A CLOSED line ends its workflow once every handler answered, every write landed and every SMS went.
    if (closedAndQuiet()) {
      await condition(() => allHandlersFinished() && allWritten());
      if (closedAndQuiet()) {
        showInUi();
        return view();
      }
      continue;
    }
    const wakeUp = Math.max(wakeUpAt(current), catchUpPausedUntil);
    const untilWakeUp = Math.max(1, wakeUp - Date.now());
    // A command may send an SMS before the moment the loop sleeps to: it wakes for it (patch `status-and-news`).
    // Checked on every activation, so only the SMS are looked at (cheap), never the whole wake-up.
    const wakesForNews = showsStatusAtOnce();
    await condition(() => runIsFull() || closureMoved(current) || (wakesForNews && smsBefore(wakeUp)), untilWakeUp);
    catchUp();
    showInUi();
    if (speaks()) {
      await condition(allWritten);
      deliverDue();
    }
    // A statement closed (here, or in a command handled at or after the close), or the run is full.
    if (line.nextStatementDate !== current.nextStatementDate || runIsFull()) {
      if (line.nextStatementDate !== current.nextStatementDate && reviewsLimits()) await reviewLimit(current.nextStatementDate);
      // Every handler answered and every write landed, then a fresh history with the state carried.
      await condition(() => allHandlersFinished() && allWritten());
      // SMS still being delivered go on in the next run (carried as pending; delivery is idempotent).
      await continueAsNew<typeof creditLine>({ ...input, carried: line ?? undefined });
    }
  }
}
