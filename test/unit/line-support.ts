/**
 * Built lines and commands for the unit tests of the line's deciders (test/unit/line-*.test.ts).
 *
 * The standard line: opened 2027-01-10 10:00 (Asia/Shanghai), statement day 5, so its first cycle
 * closes on 2027-02-05 (at 2027-02-06 00:00) and that statement is due 2027-03-07.
 */
import { expect } from 'vitest';
import {
  advance, decide, openLine, validateCommand,
  type Command, type CommandResult, type ConversionCommand, type CreditLineState, type DecisionRules, type LineEvent, type LineStatus,
  type PurchaseCommand, type RefundCommand, type RejectionCode, type RepaymentCommand,
} from '../../domain/line';
import { STANDARD_PRODUCT } from '../../domain/product';

export const product = STANDARD_PRODUCT;

export const OPENED_AT = '2027-01-10T10:00:00+08:00';
/** The day after opening: the moment most commands are decided at. */
export const AT = '2027-01-11T10:00:00+08:00';

export function opened(limit = 1_000_000): CreditLineState {
  return openLine({ creditLineId: 'cl_1', customerId: 'c1', productId: product.id, statementDay: 5, limit, now: OPENED_AT, version: 1 });
}

/** A line put in `status` (no command moves a line out of ACTIVE yet, so the tests build the state). */
export function inStatus(state: CreditLineState, status: LineStatus): CreditLineState {
  return { ...state, status, suspensionReasons: status === 'SUSPENDED' ? ['STAFF'] : [] };
}

let n = 0;
const keyed = () => {
  n += 1;
  return { key: `k${n}`, requestHash: `h${n}` };
};

export const purchaseOf = (amount: number, extra: Partial<PurchaseCommand> = {}): PurchaseCommand =>
  ({ ...keyed(), type: 'purchase', purchaseId: `p_${n}`, merchantId: 'self-operated', amount, ...extra });
export const refundOf = (purchaseId: string, amount: number): RefundCommand =>
  ({ ...keyed(), type: 'refund', refundId: `r_${n}`, purchaseId, amount });
export const repaymentOf = (amount: number): RepaymentCommand =>
  ({ ...keyed(), type: 'repayment', repaymentId: `rp_${n}`, amount });
export const conversionOf = (statementId: string, count = 3): ConversionCommand =>
  ({ ...keyed(), type: 'conversion', statementId, count });

/** As the workflow does: the line brought up to `at`, then the command decided there. */
export function decideAt(state: CreditLineState, command: Command, at: string, rules?: DecisionRules) {
  const advanced = advance(state, at, product).state;
  return { advanced, ...decide(advanced, command, at, product, rules) };
}

/** A step that must be approved (building a state); the line after it. */
export function approved(state: CreditLineState, command: Command, at: string = AT): CreditLineState {
  const decided = decideAt(state, command, at);
  if (!decided.result.ok) throw new Error(`${command.type} refused: ${decided.result.code} ${decided.result.message}`);
  return decided.state;
}

/** A refusal case of a decider's table. */
export interface Refusal<C extends Command> {
  name: string;
  state: () => CreditLineState;
  command: () => C;
  at?: string;
  code: RejectionCode;
  message: string;
  /** Wrong in itself: the workflow's validator refuses it before it enters history (else only the decision does). */
  byValidator: boolean;
  rules?: DecisionRules;
}

/**
 * A refusal is an answer like any other: remembered, recorded in its event with the command, and
 * nothing else changes (no money, no purchase, no journal entry, no transaction).
 */
export function expectRefusal<C extends Command>(c: Refusal<C>): { result: CommandResult; event: LineEvent } {
  const command = c.command();
  const { advanced, state, result, event } = decideAt(c.state(), command, c.at ?? AT, c.rules);
  expect(result).toEqual({ ok: false, type: command.type, code: c.code, message: c.message });
  // Answers are stored and returned verbatim: their JSON, key order included, never changes.
  expect(JSON.stringify(result)).toBe(JSON.stringify({ ok: false, type: command.type, code: c.code, message: c.message }));
  expect(validateCommand(command, product, c.rules)).toEqual(c.byValidator ? { code: c.code, message: c.message } : null);
  expect(state.balances).toEqual(advanced.balances);
  expect(state.purchases).toEqual(advanced.purchases);
  expect(state.version).toBe(advanced.version + 1);
  expect(state.remembered.at(-1)).toEqual({ key: command.key, requestHash: command.requestHash, result });
  expect(event.command).toEqual({ key: command.key, requestHash: command.requestHash, result });
  expect(event.entry).toBeUndefined();
  expect(event.transaction).toBeUndefined();
  expect(event.version).toBe(state.version);
  return { result, event };
}
