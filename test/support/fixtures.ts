import { randomUUID } from 'node:crypto';
import { insertApplication } from '../../db/applications';
import type { Database } from '../../db/client';
import { STANDARD_PRODUCT } from '../../domain/product';
import type { CreditLineInput } from '../../workflows/messages';

/** An application received as the API receives it; returns the workflow input for it. */
export async function receiveApplication(db: Database, applicant: { monthlyIncome: number; employmentMonths?: number; age?: number; customerId?: string; statementDay?: number }): Promise<CreditLineInput> {
  const input: CreditLineInput = {
    applicationId: `app_${randomUUID()}`,
    creditLineId: `cl_${randomUUID()}`,
    customerId: applicant.customerId ?? `C-${randomUUID().slice(0, 8)}`,
    productId: STANDARD_PRODUCT.id,
    statementDay: applicant.statementDay ?? 5,
  };
  const received = await insertApplication(db, {
    ...input, phone: '13800138000', monthlyIncome: applicant.monthlyIncome,
    employmentMonths: applicant.employmentMonths ?? 36, age: applicant.age ?? 30,
  });
  if (!received.inserted) throw new Error(`customer ${input.customerId} already has application ${received.existing.applicationId}`);
  return input;
}
