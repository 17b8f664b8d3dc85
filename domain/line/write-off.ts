/**
 * A write-off outside the ladder (PRODUCT §10, §12): staff write the whole debt off as a loss before
 * DPD 90 (a death, a bankruptcy, a fraud proven), once a second member of staff has approved it
 * (maker–checker: `workflows/staff-approval.ts` applies it with this command). It is the ladder's
 * charge-off, decided by people: every principal, billed fees and penalties against credit losses in
 * one balanced entry, the line CHARGED_OFF, an open collections case closed; later repayments are
 * recoveries. Unbilled installment fees are not owed yet, so they are not written off (nor kept).
 */
import { freeTextProblem, storableTextProblem } from '../free-text';
import { writeOffAll } from '../balances';
import { refusal, type CommandBase, type Decider } from './decider';

export interface WriteOffCommand extends CommandBase {
  type: 'writeOff';
  /** The maker–checker request that approved it (`<lineId>:approval:<n>`): the transaction's id is made from it. */
  approvalId: string;
  /** The maker's reason, with the approval (the audit trail's why). */
  note?: string;
}

export interface WriteOffFeature {
  command: WriteOffCommand;
  body: { transactionId: string; principal: number; fees: number; penalties: number; total: number };
  code: 'VALIDATION_FAILED' | 'LINE_NOT_ACTIVE' | 'NOTHING_TO_WRITE_OFF';
}

export const writeOff: Decider<WriteOffFeature> = {
  kind: 'CHARGE_OFF',

  validate(command) {
    if (command.approvalId.length === 0 || storableTextProblem(command.approvalId) !== null) return { code: 'VALIDATION_FAILED', message: 'a write-off names the approval that allowed it' };
    const note = command.note === undefined ? null : freeTextProblem(command.note);
    return note ? { code: 'VALIDATION_FAILED', message: `note ${note}` } : null;
  },

  decide(state, command, day) {
    if (state.status !== 'ACTIVE' && state.status !== 'SUSPENDED' && state.status !== 'CLOSING') {
      return refusal(state.balances, command.type, 'LINE_NOT_ACTIVE', `the line is ${state.status.toLowerCase()}`);
    }
    // Ids are scoped by the line: another line's approval cannot write anything off here.
    if (!command.approvalId.startsWith(`${state.creditLineId}:approval:`)) return refusal(state.balances, command.type, 'VALIDATION_FAILED', 'the approval is not one of this line');
    const written = writeOffAll(state.balances);
    const total = written.principal + written.fees + written.penalties;
    if (total === 0) return refusal(state.balances, command.type, 'NOTHING_TO_WRITE_OFF', 'the line owes nothing to write off');
    const transactionId = `${command.approvalId}:write-off`;
    const caseId = state.collection?.caseId;
    return {
      balances: written.balances,
      changes: {
        status: 'CHARGED_OFF',
        collection: undefined,
        hardship: undefined,
        chargedOff: { on: day, principal: written.principal, fees: written.fees, penalties: written.penalties, recovered: 0 },
      },
      result: { ok: true, type: 'writeOff', body: { transactionId, principal: written.principal, fees: written.fees, penalties: written.penalties, total } },
      transaction: { id: transactionId, kind: 'CHARGE_OFF', amount: -total, details: { principal: written.principal, fees: written.fees, penalties: written.penalties, approvalId: command.approvalId } },
      ...(caseId ? { collectionCase: { action: 'CLOSE' as const, caseId, reason: 'CHARGED_OFF' as const } } : {}),
    };
  },
};
