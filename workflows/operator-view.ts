/**
 * What operators see of a line in the Temporal UI: its search attributes (status, days past due, next
 * statement date, suspension reasons). The workflow calls `show` after each change; only what changed
 * since the last upsert is upserted, so a quiet line adds nothing to its history. Each run starts with
 * nothing shown, so its first `show` upserts everything the line has.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { localDay } from '../domain/calendar';
import { project, type CreditLineState } from '../domain/line';
import { nowIso } from './clock';
import { searchAttributes, type CreditLineStatus } from './messages';

export class OperatorView {
  private shown = { status: '', daysPastDue: -1, nextStatementDate: '', suspensionReasons: '', collectionStage: '' };

  /** Upserts what differs from what operators were last shown (nothing at all if nothing did). */
  show(status: CreditLineStatus, line: CreditLineState | null): void {
    const updates: Parameters<typeof upsertSearchAttributes>[0] = [];
    if (status !== this.shown.status) updates.push({ key: searchAttributes.status, value: status });
    if (line) {
      const projection = project(line, localDay(nowIso()));
      if (projection.daysPastDue !== this.shown.daysPastDue) updates.push({ key: searchAttributes.daysPastDue, value: projection.daysPastDue });
      if (line.nextStatementDate !== this.shown.nextStatementDate) {
        updates.push({ key: searchAttributes.nextStatementDate, value: new Date(`${line.nextStatementDate}T00:00:00+08:00`) });
      }
      const reasons = line.suspensionReasons.join(',');
      if (reasons !== this.shown.suspensionReasons) updates.push({ key: searchAttributes.suspensionReasons, value: [...line.suspensionReasons] });
      // The ladder's stage, once a line has been on it (a line never overdue shows none, as before the ladder);
      // a line on a hardship plan it does not work shows HARDSHIP_PLAN.
      const stage = line.collection?.stage ?? (line.chargedOff ? 'CHARGED_OFF' : line.hardship ? 'HARDSHIP_PLAN' : null);
      const collectionStage = stage ?? (this.shown.collectionStage === '' ? '' : 'NONE');
      if (collectionStage !== this.shown.collectionStage) updates.push({ key: searchAttributes.collectionStage, value: collectionStage });
      this.shown = { status, daysPastDue: projection.daysPastDue, nextStatementDate: line.nextStatementDate, suspensionReasons: reasons, collectionStage };
    } else {
      this.shown = { ...this.shown, status };
    }
    if (updates.length > 0) upsertSearchAttributes(updates);
  }
}
