/** A write-off outside the ladder (domain/line/write-off.ts): the ladder's charge-off, decided by people. */
import { describe, expect, it } from 'vitest';
import { sumPostings } from '../../domain/ledger';
import { decide, type WriteOffCommand } from '../../domain/line';
import { approved, AT, opened, product, purchaseOf, repaymentOf } from './line-support';

let k = 0;
const writeOffOf = (extra: Partial<WriteOffCommand> = {}): WriteOffCommand =>
  ({ key: `w${++k}`, requestHash: `h${k}`, type: 'writeOff', approvalId: 'cl_1:approval:abc', note: 'bankruptcy declared (approval cl_1:approval:abc, approved by staff:S2)', actor: { type: 'staff', id: 'S1' }, ...extra });

describe('a write-off outside the ladder', () => {
  it('writes every principal off against credit losses in one balanced entry; the line is CHARGED_OFF', () => {
    const line = approved(opened(), purchaseOf(80_000));
    const decided = decide(line, writeOffOf(), AT, product);
    expect(decided.result).toMatchObject({ ok: true, body: { transactionId: 'cl_1:approval:abc:write-off', principal: 80_000, fees: 0, penalties: 0, total: 80_000 } });
    expect(decided.state).toMatchObject({ status: 'CHARGED_OFF', chargedOff: { principal: 80_000, recovered: 0 } });
    const postings = decided.event.entry?.postings ?? [];
    expect(decided.event.entry?.kind).toBe('CHARGE_OFF');
    expect(sumPostings(postings)).toBe(0);
    expect(postings).toContainEqual({ accountId: 'platform:CREDIT_LOSSES', amount: 80_000 });
    expect(decided.event.audit).toEqual([expect.objectContaining({ action: 'CHARGE_OFF', actor: { type: 'staff', id: 'S1' }, reason: expect.stringContaining('bankruptcy') })]);
    // Later repayments are recoveries, up to what was written off.
    const recovered = decide(decided.state, repaymentOf(30_000), AT, product);
    expect(recovered.result).toMatchObject({ ok: true });
    expect(recovered.state.chargedOff?.recovered).toBe(30_000);
  });

  it('refuses a line that owes nothing, a line not open, and an approval of another line', () => {
    expect(decide(opened(), writeOffOf(), AT, product).result).toMatchObject({ ok: false, code: 'NOTHING_TO_WRITE_OFF' });
    const line = approved(opened(), purchaseOf(10_000));
    expect(decide(line, writeOffOf({ approvalId: 'cl_2:approval:abc' }), AT, product).result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    const off = decide(line, writeOffOf(), AT, product).state;
    expect(decide(off, writeOffOf(), AT, product).result).toMatchObject({ ok: false, code: 'LINE_NOT_ACTIVE' });
    expect(decide(line, writeOffOf({ note: 'a\u0000b' }), AT, product).result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
  });
});
