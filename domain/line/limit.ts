/**
 * Changing a line's limit (PRODUCT §8, §10): the model's review at a statement, a staff member
 * restoring a limit on review, the customer lowering their own. Never below what the line already
 * uses (outstanding principal and authorized purchases), never above the product's maximum.
 * A change the model makes is an automated decision, explained and reviewable; a person's is audited.
 *
 * The customer (`via: 'CUSTOMER'`, and only the customer goes that way) may lower their limit and go
 * back up, never above the limit granted to them (`grantedLimit`, kept while they are below it:
 * `LIMIT_ABOVE_GRANTED`). A limit set by anyone else is a new grant: it replaces what the customer
 * chose (a staff decision or a model cut overrides it); the model never raises a line whose customer
 * lowered it (limit-review.ts).
 */
import { freeTextProblem } from '../free-text';
import { isPositiveFen, type Fen } from '../money';
import { lineFigures } from '../projection';
import { refusal, type CommandBase, type Decider, type Decision } from './decider';
import type { LineState, LineStatus } from './state';

export type LimitVia = 'MODEL' | 'REVIEW' | 'STAFF' | 'CUSTOMER';

export interface LimitCommand extends CommandBase {
  type: 'setLimit';
  limit: Fen;
  via: LimitVia;
  note?: string;
  /** The model's figures behind a change it makes (no personal data: a PD, codes, a version). */
  model?: { version: string; probabilityOfDefault: number; reasons: string[] };
}

export interface LimitFeature {
  command: LimitCommand;
  body: { limit: Fen; available: Fen; status: LineStatus };
  code: 'VALIDATION_FAILED' | 'LINE_NOT_ACTIVE' | 'LIMIT_BELOW_BALANCE' | 'LIMIT_ABOVE_MAXIMUM' | 'LIMIT_ABOVE_GRANTED';
}

/** What the line uses of its limit: a new limit may not be below it. */
export const usedCredit = (state: LineState): Fen => state.limit - lineFigures(state.limit, state.balances).available;

export const setLimit: Decider<LimitFeature> = {
  kind: 'LIMIT_CHANGE',
  validate(command, product) {
    if (!isPositiveFen(command.limit)) return { code: 'VALIDATION_FAILED', message: 'limit must be a positive integer of fen' };
    if (command.limit > product.underwriting.maxLimit) return { code: 'LIMIT_ABOVE_MAXIMUM', message: `the product's maximum limit is ${product.underwriting.maxLimit} fen` };
    if (command.via === 'MODEL' && !command.model) return { code: 'VALIDATION_FAILED', message: 'a model change carries its figures' };
    if ((command.via === 'CUSTOMER') !== (command.actor?.type === 'customer')) return { code: 'VALIDATION_FAILED', message: 'only the customer sets their own limit, and only that way' };
    const note = command.note === undefined ? null : freeTextProblem(command.note);
    return note ? { code: 'VALIDATION_FAILED', message: `note ${note}` } : null;
  },
  decide(state, command) {
    if (state.status !== 'ACTIVE' && state.status !== 'SUSPENDED') return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
    const used = usedCredit(state);
    if (command.limit < used) return refusal(state.balances, command.type, 'LIMIT_BELOW_BALANCE', `the line already uses ${used} fen`);
    const granted = state.grantedLimit ?? state.limit;
    if (command.via === 'CUSTOMER' && command.limit > granted) return refusal(state.balances, command.type, 'LIMIT_ABOVE_GRANTED', `the limit granted to this line is ${granted} fen`);
    // The customer's own limit keeps the grant to go back up to; anyone else's is the grant.
    const grant = command.via === 'CUSTOMER'
      ? { grantedLimit: command.limit === granted ? undefined : granted }
      : state.grantedLimit === undefined ? {} : { grantedLimit: undefined };
    const next = { ...state, limit: command.limit };
    const decisions: Decision<LimitFeature>['decisions'] = command.model && command.limit !== state.limit
      ? [{
        kind: 'LIMIT_CHANGE', outcome: command.limit > state.limit ? 'RAISED' : 'LOWERED', reasons: command.model.reasons, adverse: command.limit < state.limit,
        decidedBy: `model:${command.model.version}`, details: { from: state.limit, to: command.limit, probabilityOfDefault: command.model.probabilityOfDefault },
      }]
      : undefined;
    return {
      balances: state.balances,
      changes: { limit: command.limit, ...grant },
      result: { ok: true, type: 'setLimit', body: { limit: command.limit, available: state.status === 'ACTIVE' ? lineFigures(next.limit, next.balances).available : 0, status: state.status } },
      ...(decisions ? { decisions } : {}),
    };
  },
};
