/** What reversing an automated decision on review does (API.md reviews), and the reasons customers read. */
import { describe, expect, it } from 'vitest';
import { reversalOf } from '../../domain/decisions';
import { describe as describeReason, LINE_REASON_CODES } from '../../domain/reasons';
import { REASON_CODES } from '../../domain/scoring/reason-codes';

describe('reversing a decision', () => {
  it('lifts a suspension, restores a cut limit, reopens a declined application', () => {
    expect(reversalOf({ kind: 'SUSPENSION', outcome: 'SUSPENDED', reasons: ['RISK_VELOCITY'], details: { suspensionReason: 'RISK_VELOCITY' } })).toEqual({ kind: 'LIFT', reason: 'RISK_VELOCITY' });
    expect(reversalOf({ kind: 'LIMIT_CHANGE', outcome: 'LOWERED', reasons: ['MISSED_DUE_DATE'], details: { from: 500_000, to: 300_000 } })).toEqual({ kind: 'RESTORE_LIMIT', limit: 500_000 });
    expect(reversalOf({ kind: 'UNDERWRITING', outcome: 'DECLINED', reasons: ['LOW_INCOME'], details: {} })).toEqual({ kind: 'MANUAL_REVIEW' });
  });

  it('has nothing to carry back for a decision in the customer\'s favour or a declined purchase', () => {
    expect(reversalOf({ kind: 'LIMIT_CHANGE', outcome: 'RAISED', reasons: [], details: { from: 300_000, to: 500_000 } })).toEqual({ kind: 'NONE' });
    expect(reversalOf({ kind: 'UNDERWRITING', outcome: 'APPROVED', reasons: [], details: {} })).toEqual({ kind: 'NONE' });
    expect(reversalOf({ kind: 'PURCHASE_DECLINE', outcome: 'DECLINED', reasons: ['RISK_VELOCITY'], details: {} })).toEqual({ kind: 'NONE' });
  });
});

describe('reasons as customers read them', () => {
  it('describes every code the model and the line give, in Chinese and English', () => {
    for (const code of [...REASON_CODES, ...LINE_REASON_CODES]) {
      const described = describeReason(code, 'en');
      expect(described.descriptions['zh-CN'], code).not.toBe(code);
      expect(described.descriptions.en, code).not.toBe(code);
      expect(describeReason(code, 'zh-CN').description).toBe(described.descriptions['zh-CN']);
    }
  });

  it('shows an unknown code as itself rather than failing the listing', () => {
    expect(describeReason('SOMETHING_NEW', 'en')).toMatchObject({ code: 'SOMETHING_NEW', description: 'SOMETHING_NEW' });
  });
});
