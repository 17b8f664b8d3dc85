import type { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { approvals } from '../../db/schema';
import { approvalIdFor } from '../../domain/approvals';
import { STANDARD_PRODUCT } from '../../domain/product';
import { createWorker } from '../../runtime/worker';
import { approvalQuery, approvalWorkflowIdFor, type StaffApprovalInput } from '../../workflows/approval-messages';
import type { staffApproval } from '../../workflows/staff-approval';
import { useTimeSkippingWorker } from '../support/temporal';

const fixture = useTimeSkippingWorker('staff-approval-test');

describe('a maker–checker request', () => {
  it('is requested when the API started it, not when a worker first ran it (the queue is oldest first)', async () => {
    const creditLineId = `cl_${crypto.randomUUID()}`;
    const approvalId = approvalIdFor(creditLineId, 'late');
    const input: StaffApprovalInput = {
      approvalId, creditLineId, kind: 'FEE_WAIVER', request: { kind: 'FEE_WAIVER', amount: 100, reason: 'late worker' },
      makerId: 'S-maker', expiresAfterHours: STANDARD_PRODUCT.approvals.expiresAfterHours,
    };
    // Started on a queue no worker polls yet; its first task runs a second and a half later.
    const queue = 'staff-approval-late';
    const handle = await fixture.env.client.workflow.start<typeof staffApproval>('staffApproval', {
      workflowId: approvalWorkflowIdFor(approvalId), taskQueue: queue, args: [input],
    });
    const startedAt = (await handle.describe()).startTime.toISOString();
    await new Promise((r) => setTimeout(r, 1_500));
    let late: Worker | undefined;
    let running: Promise<void> | undefined;
    try {
      late = await createWorker({
        connection: fixture.env.nativeConnection, namespace: fixture.env.namespace ?? 'default', taskQueue: queue,
        deps: { db: fixture.database.db, underwritingPolicy: STANDARD_PRODUCT.underwriting, clock: async () => new Date(await fixture.env.currentTimeMs()) },
      });
      running = late.run();
      let row: typeof approvals.$inferSelect | undefined;
      for (let i = 0; i < 200 && !row; i++) {
        [row] = await fixture.database.db.select().from(approvals).where(eq(approvals.id, approvalId));
        if (!row) await new Promise((r) => setTimeout(r, 50));
      }
      expect(row).toBeDefined();
      expect(new Date(row!.requestedAt).toISOString()).toBe(startedAt);
      // Its 72 hours run from the request too.
      const expiresAt = new Date(Date.parse(startedAt) + STANDARD_PRODUCT.approvals.expiresAfterHours * 3_600_000).toISOString();
      expect(new Date(row!.expiresAt).toISOString()).toBe(expiresAt);
      expect(await handle.query(approvalQuery)).toMatchObject({ status: 'PENDING', requestedAt: startedAt, expiresAt });
      await handle.terminate('test done');
    } finally {
      late?.shutdown();
      await running;
    }
  });
});
