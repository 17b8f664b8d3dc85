import {
  ApplicationFailure, allHandlersFinished, condition, continueAsNew, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes, uuid4, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { localDay } from '../domain/calendar';
import {
  advance, decide, nextWakeUp, openLine, payoff, project, quoteInstallments, rememberedAnswer, snapshotEvent, validateCommand,
  type Command, type CommandResult, type CreditLineState, type LineEvent,
} from '../domain/credit-line';
import { STANDARD_PRODUCT, type Product } from '../domain/product';
import type { UnderwritingResult } from '../domain/underwriting';
import {
  conversionUpdate, decideApplicationUpdate, installmentQuoteQuery, lineQuery, payoffQuery, purchaseUpdate, refundUpdate, repaymentUpdate,
  searchAttributes, stateQuery,
  type CreditLineInput, type CreditLineStatus, type CreditLineView, type ManualReviewDecision,
} from './messages';

const { scoreApplication, recordUnderwritingDecision } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['APPLICATION_NOT_FOUND'] },
});

// The workflow's state has already moved when a ledger write is scheduled, so the write must land:
// it retries until it does (an unbalanced entry is a bug, not a condition to retry). A local
// activity: it runs inside the workflow task, sparing a purchase two round trips through the server;
// a worker crash between its commit and the task's completion replays it, and its idempotency key
// makes that replay write nothing.
const { applyLineEvents } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['UNBALANCED_ENTRY'] },
});

/** The server caps Updates per run (history.maxTotalUpdates, 2,000 by default): a fresh run well before. */
const COMMANDS_PER_RUN = 1000;

/** The product a line runs on; a second product is a configuration, not code. */
function productFor(productId: string): Product {
  if (productId !== STANDARD_PRODUCT.id) throw ApplicationFailure.nonRetryable(`unknown product ${productId}`, 'UNKNOWN_PRODUCT');
  return STANDARD_PRODUCT;
}

const nowIso = (): string => new Date(Date.now()).toISOString();

/** One customer's credit line, from application to closure; continues as new at every statement. */
export async function creditLine(input: CreditLineInput): Promise<CreditLineView> {
  const product = productFor(input.productId);
  let line: CreditLineState | null = input.carried ?? null;
  let status: CreditLineStatus = line ? line.status : 'UNDERWRITING';
  let underwritingVersion = 0;
  let pendingReview: ManualReviewDecision | undefined;
  let inReview = false;

  const view = (): CreditLineView => ({
    creditLineId: input.creditLineId, customerId: input.customerId, status,
    limit: line?.limit ?? null, version: line?.version ?? underwritingVersion,
  });
  setHandler(stateQuery, view);
  setHandler(lineQuery, () => line);
  setHandler(installmentQuoteQuery, ({ statementId, count, at }) =>
    line ? quoteInstallments(advance(line, at, product).state, statementId, count, localDay(at), product) : { ok: false, code: 'LINE_NOT_ACTIVE', message: 'the line is not open' });
  setHandler(payoffQuery, ({ at }) => (line ? payoff(advance(line, at, product).state, localDay(at)) : null));

  // ── Persisting events in the order they happened: whatever queued up while a write ran goes in the next one ──
  const queue: { event: LineEvent; written?: () => void }[] = [];
  let writing = false;
  const drain = async () => {
    if (writing) return;
    writing = true;
    while (queue.length > 0) {
      const batch = queue.splice(0);
      await applyLineEvents(batch.map((q) => q.event));
      for (const q of batch) q.written?.();
    }
    writing = false;
  };
  const persist = (events: LineEvent[]): Promise<void> => new Promise((resolve) => {
    if (events.length === 0) return resolve();
    events.forEach((event, i) => queue.push({ event, ...(i === events.length - 1 ? { written: resolve } : {}) }));
    void drain();
  });
  const allWritten = () => !writing && queue.length === 0;

  // ── Search attributes: only what changed, so quiet lines add nothing to history ──
  let shown = { status: '', daysPastDue: -1, nextStatementDate: '', suspensionReasons: '' };
  const showInUi = () => {
    const updates: Parameters<typeof upsertSearchAttributes>[0] = [];
    if (status !== shown.status) updates.push({ key: searchAttributes.status, value: status });
    if (line) {
      const projection = project(line, localDay(nowIso()));
      if (projection.daysPastDue !== shown.daysPastDue) updates.push({ key: searchAttributes.daysPastDue, value: projection.daysPastDue });
      if (line.nextStatementDate !== shown.nextStatementDate) {
        updates.push({ key: searchAttributes.nextStatementDate, value: new Date(`${line.nextStatementDate}T00:00:00+08:00`) });
      }
      const reasons = line.suspensionReasons.join(',');
      if (reasons !== shown.suspensionReasons) updates.push({ key: searchAttributes.suspensionReasons, value: [...line.suspensionReasons] });
      shown = { status, daysPastDue: projection.daysPastDue, nextStatementDate: line.nextStatementDate, suspensionReasons: reasons };
    } else {
      shown = { ...shown, status };
    }
    if (updates.length > 0) upsertSearchAttributes(updates);
  };

  /** Brings the line up to now (cycle closes, penalties) and schedules what that wrote. */
  const catchUp = (): void => {
    if (!line) return;
    const advanced = advance(line, nowIso(), product);
    line = advanced.state;
    void persist(advanced.events);
  };

  // ── Money commands: decided synchronously (credit is taken before anything is awaited), persisted in order ──
  let commandsThisRun = 0;
  const runIsFull = () => workflowInfo().continueAsNewSuggested || commandsThisRun >= COMMANDS_PER_RUN;
  const handle = async (command: Command): Promise<CommandResult> => {
    commandsThisRun += 1;
    if (!line) return { ok: false, type: command.type, code: 'LINE_NOT_ACTIVE', message: `the line is ${status.toLowerCase()}` };
    const remembered = rememberedAnswer(line, command);
    if (remembered) {
      await condition(allWritten); // the first answer is on disk before it is given again
      return remembered;
    }
    catchUp();
    const decided = decide(line, command, nowIso(), product);
    line = decided.state;
    await persist([decided.event]);
    showInUi();
    return decided.result;
  };
  const validator = (command: Command) => {
    if (!line) throw ApplicationFailure.create({ type: 'LINE_NOT_ACTIVE', message: `the line is ${status.toLowerCase()}`, nonRetryable: true });
    const invalid = validateCommand(command, product);
    // Wrong in itself (not a decision about this line): refused before it enters history.
    if (invalid) throw ApplicationFailure.create({ type: invalid.code, message: invalid.message, nonRetryable: true });
  };
  setHandler(purchaseUpdate, (r) => handle({ type: 'purchase', purchaseId: `p_${uuid4()}`, ...r }), { validator: (r) => validator({ type: 'purchase', purchaseId: '', ...r }) });
  setHandler(refundUpdate, (r) => handle({ type: 'refund', refundId: `r_${uuid4()}`, ...r }), { validator: (r) => validator({ type: 'refund', refundId: '', ...r }) });
  setHandler(repaymentUpdate, (r) => handle({ type: 'repayment', repaymentId: `rp_${uuid4()}`, ...r }), { validator: (r) => validator({ type: 'repayment', repaymentId: '', ...r }) });
  setHandler(conversionUpdate, (r) => handle({ type: 'conversion', ...r }), { validator: (r) => validator({ type: 'conversion', ...r }) });

  // ── Underwriting (first run only) ──
  setHandler(decideApplicationUpdate, async (decision) => {
    pendingReview = decision;
    await condition(() => !inReview);
    return { status: status === 'ACTIVE' ? 'APPROVED' : 'DECLINED' };
  }, {
    validator: (decision) => {
      if (!inReview || pendingReview) throw new Error('the application is not waiting for a manual review');
      if (decision.limit !== undefined && (!Number.isSafeInteger(decision.limit) || decision.limit <= 0)) throw new Error('limit must be a positive integer of fen');
    },
  });

  if (!line) {
    const record = async (result: UnderwritingResult, decidedBy: string) => {
      underwritingVersion += 1;
      await recordUnderwritingDecision({
        applicationId: input.applicationId, creditLineId: input.creditLineId, result, decidedBy, decidedAt: nowIso(), version: underwritingVersion,
      });
    };
    const scored = await scoreApplication(input.applicationId);
    await record(scored, `model:${scored.modelVersion}`);
    let outcome = scored;
    if (scored.decision === 'MANUAL_REVIEW') {
      inReview = true;
      // Not decided in time: declined automatically (PRODUCT §3).
      const decided = await condition(() => pendingReview !== undefined, `${product.underwriting.manualReviewDays} days`);
      const review = pendingReview;
      outcome = decided && review
        ? { ...scored, decision: review.approve ? 'APPROVE' : 'DECLINE', limit: review.approve ? (review.limit ?? scored.limit) : null }
        : { ...scored, decision: 'DECLINE', limit: null, reasonCodes: [...scored.reasonCodes, 'MANUAL_REVIEW_EXPIRED'] };
      await record(outcome, decided && review ? `staff:${review.staffId}` : 'system:review-timeout');
    }
    if (outcome.decision !== 'APPROVE' || outcome.limit === null) {
      status = 'DECLINED';
      inReview = false;
      showInUi();
      return view();
    }
    line = openLine({ ...input, limit: outcome.limit, now: nowIso(), version: underwritingVersion + 1 });
    status = line.status;
    inReview = false;
    showInUi();
    await persist([snapshotEvent(line, nowIso(), 'OPENED')]);
  }
  showInUi();

  // ── The line's life: wait for the next moment due (or a command), act, repeat ──
  for (;;) {
    const current: CreditLineState = line;
    const untilWakeUp = Math.max(1, Date.parse(nextWakeUp(current)) - Date.now());
    await condition(runIsFull, untilWakeUp);
    catchUp();
    showInUi();
    // A statement closed (here, or in a command handled at or after the close), or the run is full.
    if (line.nextStatementDate !== current.nextStatementDate || runIsFull()) {
      // Every handler answered and every write landed, then a fresh history with the state carried.
      await condition(() => allHandlersFinished() && allWritten());
      await continueAsNew<typeof creditLine>({ ...input, carried: line ?? undefined });
    }
  }
}
