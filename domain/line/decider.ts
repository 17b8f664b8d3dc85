/**
 * What a feature module of the line is: the types of its command, answer and refusals (`Feature`),
 * and a `Decider` that validates and decides its command on the line as it stands. The core
 * (decide.ts) dispatches to it, remembers the answer and turns the decision into the event; a decider
 * never builds an event, so adding a feature is one module plus one line in the `Command` union
 * (commands.ts) and one in the dispatcher (decide.ts).
 */
import type { LineBalances } from '../balances';
import type { Day, Instant } from '../calendar';
import type { DecisionRecord } from '../decisions';
import type { RuleHit } from '../risk/rules';
import { ENTRY_KINDS, type EntryKind, type Posting } from '../ledger';
import type { Fen } from '../money';
import type { Actor } from '../audit';
import type { TemplateName, TemplateParams } from '../notifications';
import type { Product } from '../product';
import type { LineState, PurchaseRecord } from './state';
import type { CaseCloseReason } from './events';

/**
 * What an event records: a journal entry's kind, or a change with no money of its own (a suspension, a
 * new limit, a closure step: its entry, when money moves, is given by the decision, closure.ts).
 */
export type EventKind = EntryKind | 'SUSPENSION' | 'LIMIT_CHANGE' | 'CLOSURE' | 'COLLECTION_PAUSED' | 'COLLECTION_RESUMED' | 'HARDSHIP_PLAN_STARTED';
export const movesMoney = (kind: EventKind): kind is EntryKind => kind in ENTRY_KINDS;

/** What every command carries. */
export interface CommandBase {
  /** The caller's Idempotency-Key, scoped to the line. */
  key: string;
  /** A hash of the request (operation, path and body): the same key with another body is refused. */
  requestHash: string;
  /** Who asked (absent in commands sent before the audit trail: the line's customer). */
  actor?: Actor;
}

/** A feature's types: its command, the body of its approval, and the codes it refuses with. */
export interface Feature {
  command: CommandBase & { type: string };
  body: unknown;
  code: string;
}

/**
 * A feature's answer. Answers are kept in history, stored in `command_results` and returned verbatim
 * to HTTP clients: their JSON (keys in this order) must never change for an existing command.
 */
export type Answer<F extends Feature> =
  | { ok: true; type: F['command']['type']; body: F['body'] }
  | { ok: false; type: F['command']['type']; code: F['code']; message: string };

/** Why a command is refused. */
export interface Refusal<Code extends string> {
  code: Code;
  message: string;
}

/** The customer-visible transaction an event records. */
export interface LineTransaction {
  id: string;
  kind: string;
  amount: Fen;
  details?: Record<string, unknown>;
}

/** What a decider decided: the answer, the money after, and what the event records. */
export interface Decision<F extends Feature> {
  result: Answer<F>;
  /** The balances after (the same balances on a refusal). */
  balances: LineBalances;
  /** The refundable purchases after, when the decision changes them. */
  purchases?: PurchaseRecord[];
  transaction?: LineTransaction;
  /** What else of the line the decision changes (a recovery's running total, a suspension, the risk record). */
  changes?: Partial<Pick<LineState, 'chargedOff' | 'status' | 'suspensionReasons' | 'limit' | 'risk' | 'grantedLimit' | 'closure' | 'closedAt' | 'collection' | 'hardship'>>;
  /** Risk rules that hit (ids given by the dispatcher). */
  riskHits?: RuleHit[];
  /** Automated decisions it records (ids given by the dispatcher; `riskRule` links one to its rule's hit). */
  decisions?: (Omit<DecisionRecord, 'id'> & { riskRule?: string })[];
  /** The journal entry, when it is not the change in the line's own accounts (a recovery: cash against credit losses). */
  entry?: { kind: EntryKind; postings: Posting[]; description?: string };
  /** The collections case it closes (a hardship plan takes the line off the ladder; a write-off ends it). */
  collectionCase?: { action: 'CLOSE'; caseId: string; reason: CaseCloseReason };
  /** What the customer is told of it (the dispatcher says it, SMS under the line's conduct rules). */
  notice?: { template: TemplateName; params: TemplateParams };
}

/**
 * Decisions that changed while lines were running: a line replaying history decided before a change
 * gets the rules of its time (the workflow passes `patched()` for each).
 */
export interface DecisionRules {
  /** A repayment above the payoff amount is refused `OVERPAYMENT` (PRODUCT §5). */
  refuseOverpayment: boolean;
  /** A purchase's description must be free text (API.md). */
  validateFreeText: boolean;
  /** The monitoring rules of PRODUCT §8 (velocity) take part in purchase decisions. */
  riskRules: boolean;
  /** A hardship plan closes the line's collections case RESTRUCTURED (before: CURED). */
  restructuredCases: boolean;
  /** A staff suspension during a hardship plan makes the STAFF hold the staff member's: the plan's end no longer lifts it. */
  staffKeepsOwnHold: boolean;
}
export const CURRENT_RULES: DecisionRules = { refuseOverpayment: true, validateFreeText: true, riskRules: true, restructuredCases: true, staffKeepsOwnHold: true };

export interface Decider<F extends Feature> {
  /** The kind of this command's events, refusals included. */
  kind: EventKind;
  /** Wrong in itself, whatever the line: the workflow's validator refuses it before it enters history. */
  validate(command: F['command'], product: Product, rules: DecisionRules): Refusal<F['code']> | null;
  /** Decides a valid command on the line as it stands on `day` (brought up to `now`). Pure. */
  decide(state: LineState, command: F['command'], day: Day, product: Product, rules: DecisionRules, now: Instant): Decision<F>;
}

/** A refusal: nothing changes but the answer. */
export function refusal<Type extends string, Code extends string>(
  balances: LineBalances, type: Type, code: Code, message: string,
): { result: { ok: false; type: Type; code: Code; message: string }; balances: LineBalances } {
  return { result: { ok: false, type, code, message }, balances };
}
