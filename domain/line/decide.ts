/**
 * Decides a command: the remembered answer for a key already answered, else the command's decider
 * (validation, then decision), and the answer remembered. Synchronous: the credit a purchase takes
 * is taken here, before anything is awaited, so concurrent purchases cannot spend the same credit.
 */
import { localDay, type Instant } from '../calendar';
import type { Product } from '../product';
import { REMEMBERED_COMMANDS, type Command, type CommandResult, type CreditLineState, type LineFeature, type RejectionCode } from './commands';
import { conversion } from './conversion';
import { CURRENT_RULES, refusal, type Decider, type Decision, type DecisionRules, type Feature, type LineTransaction } from './decider';
import type { AuditEntry } from '../audit';
import { storableTextProblem } from '../free-text';
import { eventFor, eventKey, type LineEvent } from './events';
import { actorOf, audit, say } from './notices';
import type { OutgoingMessage } from '../notifications';
import { purchase } from './purchase';
import { refund } from './refund';
import { repayment } from './repayment';
import { lift, RISK_REASONS, suspend } from './suspension';
import { setLimit } from './limit';
import { cancelClosure, close } from './closure';
import { payoffQuote } from '../payoff';
import { feeWaiver } from './fee-waiver';
import { pauseCollection, resumeCollection } from './collection-pause';
import { startHardshipPlan } from './hardship';
import { writeOff } from './write-off';
import type { RiskEventRecord } from './events';
import type { DecisionRecord } from '../decisions';

/** The dispatcher: each command type's decider. A new feature adds its line here (and in `LineFeature`). */
const DECIDERS: { [T in Command['type']]: Decider<Extract<LineFeature, { command: { type: T } }>> } = {
  purchase,
  refund,
  repayment,
  conversion,
  suspend,
  lift,
  setLimit,
  close,
  cancelClosure,
  waiveFees: feeWaiver,
  pauseCollection,
  resumeCollection,
  startHardshipPlan,
  writeOff,
};

/**
 * The decider of a command. Its answers are `CommandResult`s: the table above gives each command type
 * the decider of that type, which answers with that type's body and codes.
 */
function deciderOf(command: Command): Decider<Feature> {
  return DECIDERS[command.type];
}

/** What the validator refuses before anything enters history: requests wrong in themselves. */
export function validateCommand(command: Command, product: Product, rules: DecisionRules = CURRENT_RULES): { code: RejectionCode; message: string } | null {
  return deciderOf(command).validate(command, product, rules) as { code: RejectionCode; message: string } | null;
}

/** The answer already given to this key, or a refusal when the key comes back with another request. */
export function rememberedAnswer(state: CreditLineState, command: Pick<Command, 'key' | 'requestHash' | 'type'>): CommandResult | null {
  const found = state.remembered.find((r) => r.key === command.key);
  if (!found) return null;
  if (found.requestHash !== command.requestHash) {
    return { ok: false, type: command.type, code: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used for a different request' };
  }
  return found.result;
}

/**
 * The audit entry of a command: who, what (the entry kind, `_REFUSED` when refused), why (the
 * refusal's code), and the figures that matter (never free text: a description may hold anything).
 */
function commandAudit(state: CreditLineState, command: Command, kind: string, result: CommandResult, transaction?: LineTransaction): AuditEntry {
  const details: NonNullable<AuditEntry['details']> = { key: command.key };
  if (command.type === 'suspend') details.suspensionReason = command.reason;
  if (command.type === 'lift') { details.suspensionReasons = command.reasons.join(','); details.via = command.via; }
  if (command.type === 'setLimit') { details.from = state.limit; details.limit = command.limit; details.via = command.via; }
  if ((command.type === 'close' || command.type === 'cancelClosure') && result.ok) { details.from = state.status; details.status = (result.body as { status: string }).status; }
  if (command.type === 'close' && command.identityCheck !== undefined && storableTextProblem(command.identityCheck) === null) details.identityCheck = command.identityCheck;
  if (command.type === 'waiveFees' && storableTextProblem(command.approvalId) === null) details.approvalId = command.approvalId;
  if (command.type === 'pauseCollection' && typeof command.until === 'string' && storableTextProblem(command.until) === null) details.until = command.until;
  if (command.type === 'startHardshipPlan') {
    if (typeof command.installments === 'number') details.installments = command.installments;
    if (typeof command.approvalId === 'string' && storableTextProblem(command.approvalId) === null) details.approvalId = command.approvalId;
  }
  if (command.type === 'suspend' && command.riskEventId && storableTextProblem(command.riskEventId) === null) details.riskEventId = command.riskEventId;
  // A staff member's note is the why of what they did.
  const why = command.type === 'pauseCollection' ? command.reason : 'note' in command ? command.note : undefined;
  const note = typeof why === 'string' && storableTextProblem(why) === null ? why : undefined;
  if ('amount' in command) details.amount = command.amount;
  // Ids the caller sent are recorded only when storable: a refused request may carry anything.
  const id = (name: string, value: string) => { if (storableTextProblem(value) === null) details[name] = value; };
  if ('merchantId' in command) id('merchantId', command.merchantId);
  if (command.type === 'refund') id('purchaseId', command.purchaseId);
  if ('statementId' in command) id('statementId', command.statementId);
  if (transaction) details.transactionId = transaction.id;
  return result.ok
    ? audit(kind, actorOf(state, command.actor), details, note)
    : audit(`${kind}_REFUSED`, actorOf(state, command.actor), details, result.code);
}

function remember(state: CreditLineState, command: Command, result: CommandResult): CreditLineState {
  const remembered = [...state.remembered, { key: command.key, requestHash: command.requestHash, result }];
  return { ...state, remembered: remembered.slice(-REMEMBERED_COMMANDS) };
}

/**
 * Decides a command at `now` (the line already advanced to `now`). Every answer, refusals included,
 * is an event so its key is answered the same way forever.
 */
export function decide(
  state: CreditLineState, command: Command, now: Instant, product: Product, rules: DecisionRules = CURRENT_RULES,
): { state: CreditLineState; result: CommandResult; event: LineEvent } {
  const decider = deciderOf(command);
  const invalid = decider.validate(command, product, rules);
  // A closed line decides nothing more (closure.ts); a refund keeps the LINE_CLOSED it answered before closure existed.
  const closed = state.status === 'CLOSED' && command.type !== 'refund';
  const decision: Decision<Feature> = invalid
    ? refusal(state.balances, command.type, invalid.code, invalid.message)
    : closed ? refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', 'the line is closed')
    : decider.decide(state, command, localDay(now), product, rules, now);
  const result = decision.result as CommandResult;
  const version = state.version + 1;
  const decided = remember({
    ...state,
    ...decision.changes,
    balances: decision.balances,
    purchases: decision.purchases ?? state.purchases,
    version,
  }, command, result);
  const { riskEvents, decisions } = recordsOf(decision, state.creditLineId, version);
  const id = `${command.type}:${command.key}`;
  const key = eventKey(state.creditLineId, decider.kind, id);
  const said = decision.notice ? say(decided, key, decision.notice.template, decision.notice.params, now, product) : noticeOf(state, decided, key, now, product);
  const next = said.state;
  const event = eventFor(state, next, now, decider.kind, id, {
    command: { key: command.key, requestHash: command.requestHash, result },
    ...(decision.transaction ? { transaction: decision.transaction } : {}),
    ...(decision.entry ? { entry: decision.entry } : {}),
    audit: [commandAudit(state, command, command.type === 'lift' ? 'SUSPENSION_LIFTED' : command.type === 'cancelClosure' ? 'CLOSURE_CANCELLED' : decider.kind, result, decision.transaction)],
    ...(said.messages.length > 0 ? { messages: said.messages } : {}),
    ...(riskEvents.length > 0 ? { riskEvents } : {}),
    ...(decisions.length > 0 ? { decisions } : {}),
    ...(decision.collectionCase ? { collectionCase: decision.collectionCase } : {}),
  });
  return { state: next, result, event };
}

/** A decision's rule hits and decision records with their ids, scoped by the line and the event's version. */
function recordsOf(decision: Decision<Feature>, creditLineId: string, version: number): { riskEvents: RiskEventRecord[]; decisions: DecisionRecord[] } {
  const riskEvents = (decision.riskHits ?? []).map((h, i) => ({ id: `${creditLineId}:risk:${version}-${i + 1}`, rule: h.ruleId, shadow: h.shadow, action: h.action, figures: h.figures }));
  const decisions = (decision.decisions ?? []).map(({ riskRule, ...d }, i) => {
    const hit = riskEvents.find((r) => r.rule === riskRule);
    return { ...d, id: `d-${version}-${i + 1}`, details: { ...d.details, ...(hit ? { riskEventId: hit.id } : {}) } };
  });
  return { riskEvents, decisions };
}

/** What the customer is told when a risk reason suspends the line, a suspension is lifted, or the limit changes. */
function noticeOf(before: CreditLineState, after: CreditLineState, key: string, now: Instant, product: Product): { state: CreditLineState; messages: OutgoingMessage[] } {
  // A closure's steps (closure.ts): closing (with what is to pay), closed, cancelled.
  if (after.status !== before.status && after.status === 'CLOSED') return say(after, key, 'LINE_CLOSED', {}, now, product);
  if (after.status !== before.status && after.status === 'CLOSING') return say(after, key, 'LINE_CLOSING', { amount: payoffQuote(after.balances, localDay(now)).amount }, now, product);
  if (before.status === 'CLOSING' && after.status !== 'CLOSING' && after.status !== 'CHARGED_OFF') return say(after, key, 'CLOSURE_CANCELLED', {}, now, product);
  if (after.limit !== before.limit) return say(after, key, 'LIMIT_CHANGED', { from: before.limit, to: after.limit }, now, product);
  const risky = (s: CreditLineState) => s.suspensionReasons.filter((r) => RISK_REASONS.includes(r)).length;
  if (risky(after) > risky(before) && risky(before) === 0) return say(after, key, 'RISK_SUSPENDED', {}, now, product);
  if (after.suspensionReasons.length < before.suspensionReasons.length) return say(after, key, 'SUSPENSION_LIFTED', {}, now, product);
  return { state: after, messages: [] };
}
