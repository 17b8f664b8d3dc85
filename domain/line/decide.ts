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
import { eventFor, type LineEvent } from './events';
import { actorOf, audit } from './notices';
import { purchase } from './purchase';
import { refund } from './refund';
import { repayment } from './repayment';

/** The dispatcher: each command type's decider. A new feature adds its line here (and in `LineFeature`). */
const DECIDERS: { [T in Command['type']]: Decider<Extract<LineFeature, { command: { type: T } }>> } = {
  purchase,
  refund,
  repayment,
  conversion,
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
  if ('amount' in command) details.amount = command.amount;
  // Ids the caller sent are recorded only when storable: a refused request may carry anything.
  const id = (name: string, value: string) => { if (storableTextProblem(value) === null) details[name] = value; };
  if ('merchantId' in command) id('merchantId', command.merchantId);
  if (command.type === 'refund') id('purchaseId', command.purchaseId);
  if ('statementId' in command) id('statementId', command.statementId);
  if (transaction) details.transactionId = transaction.id;
  return result.ok
    ? audit(kind, actorOf(state, command.actor), details)
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
  const decision: Decision<Feature> = invalid
    ? refusal(state.balances, command.type, invalid.code, invalid.message)
    : decider.decide(state, command, localDay(now), product, rules);
  const result = decision.result as CommandResult;
  const next = remember({
    ...state,
    ...decision.changes,
    balances: decision.balances,
    purchases: decision.purchases ?? state.purchases,
    version: state.version + 1,
  }, command, result);
  const event = eventFor(state, next, now, decider.kind, `${command.type}:${command.key}`, {
    command: { key: command.key, requestHash: command.requestHash, result },
    ...(decision.transaction ? { transaction: decision.transaction } : {}),
    ...(decision.entry ? { entry: decision.entry } : {}),
    audit: [commandAudit(state, command, decider.kind, result, decision.transaction)],
  });
  return { state: next, result, event };
}
