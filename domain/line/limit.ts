/**
 * Changing a line's limit (PRODUCT §8, §10): the model's review at a statement, a staff member
 * restoring a limit on review, later the customer lowering their own. Never below what the line
 * already uses (outstanding principal and authorized purchases), never above the product's maximum.
 * A change the model makes is an automated decision, explained and reviewable; a person's is audited.
 */
import { freeTextProblem } from '../free-text';
import { isPositiveFen, type Fen } from '../money';
import { lineFigures } from '../projection';
import { refusal, type CommandBase, type Decider, type Decision } from './decider';
import type { LineState, LineStatus } from './state';

export type LimitVia = 'MODEL' | 'REVIEW' | 'STAFF';

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
  code: 'VALIDATION_FAILED' | 'LINE_NOT_ACTIVE' | 'LIMIT_BELOW_BALANCE' | 'LIMIT_ABOVE_MAXIMUM';
}

/** What the line uses of its limit: a new limit may not be below it. */
export const usedCredit = (state: LineState): Fen => state.limit - lineFigures(state.limit, state.balances).available;

export const setLimit: Decider<LimitFeature> = {
  kind: 'LIMIT_CHANGE',
  validate(command, product) {
    if (!isPositiveFen(command.limit)) return { code: 'VALIDATION_FAILED', message: 'limit must be a positive integer of fen' };
    if (command.limit > product.underwriting.maxLimit) return { code: 'LIMIT_ABOVE_MAXIMUM', message: `the product's maximum limit is ${product.underwriting.maxLimit} fen` };
    if (command.via === 'MODEL' && !command.model) return { code: 'VALIDATION_FAILED', message: 'a model change carries its figures' };
    const note = command.note === undefined ? null : freeTextProblem(command.note);
    return note ? { code: 'VALIDATION_FAILED', message: `note ${note}` } : null;
  },
  decide(state, command) {
    if (state.status !== 'ACTIVE' && state.status !== 'SUSPENDED') return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
    const used = usedCredit(state);
    if (command.limit < used) return refusal(state.balances, command.type, 'LIMIT_BELOW_BALANCE', `the line already uses ${used} fen`);
    const next = { ...state, limit: command.limit };
    const decisions: Decision<LimitFeature>['decisions'] = command.model && command.limit !== state.limit
      ? [{
        kind: 'LIMIT_CHANGE', outcome: command.limit > state.limit ? 'RAISED' : 'LOWERED', reasons: command.model.reasons, adverse: command.limit < state.limit,
        decidedBy: `model:${command.model.version}`, details: { from: state.limit, to: command.limit, probabilityOfDefault: command.model.probabilityOfDefault },
      }]
      : undefined;
    return {
      balances: state.balances,
      changes: { limit: command.limit },
      result: { ok: true, type: 'setLimit', body: { limit: command.limit, available: state.status === 'ACTIVE' ? lineFigures(next.limit, next.balances).available : 0, status: state.status } },
      ...(decisions ? { decisions } : {}),
    };
  },
};
