/**
 * Regenerates the replay corpus (`npm run histories`): drives one credit-line workflow per path on a
 * time-skipping test server, with a real worker and real PostgreSQL activities, and writes each
 * history as proto JSON to test/histories/<path>.json. Brings its own services and stops them all.
 * Nothing is written unless every path ran: a failed run leaves the committed corpus as it was.
 * Read test/histories/README.md before regenerating.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { and, eq, sql } from 'drizzle-orm';
import { insertApplication, reopenApplication } from '../../db/applications';
import { connect, disconnect, type Database } from '../../db/client';
import { applyMigrations } from '../../db/migrate';
import { applications, approvals, messages } from '../../db/schema';
import { addDays, cycleCloseInstant, instantAt } from '../../domain/calendar';
import type { CommandResult } from '../../domain/line';
import { STANDARD_PRODUCT } from '../../domain/product';
import { statementIdOf } from '../../domain/balances';
import { registerSearchAttributes } from '../../runtime/search-attributes';
import { createWorker } from '../../runtime/worker';
import { freePort } from '../../toolchain/ports';
import { startEmbeddedPostgres } from '../../toolchain/postgres';
import { resolveTestServer } from '../../toolchain/test-server';
import type { creditLine } from '../../workflows/credit-line';
import {
  cancelClosureUpdate, closeUpdate, conversionUpdate, writeOffUpdate, decideApplicationUpdate, hardshipPlanUpdate, liftUpdate, limitUpdate, pauseCollectionUpdate, lineQuery, payoffQuery, purchaseUpdate, refundUpdate, repaymentUpdate, searchAttributes, stateQuery, suspendUpdate,
  updateIdFor, workflowIdFor, type CreditLineInput, type CreditLineStatus,
} from '../../workflows/messages';
import { approvalWorkflowIdFor, decideApprovalUpdate, type StaffApprovalInput } from '../../workflows/approval-messages';
import type { staffApproval } from '../../workflows/staff-approval';
import { historyToJson } from './history-json';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TASK_QUEUE = 'histories';
const WELL_PAID = { monthlyIncome: 2_000_000 };
const LOW_INCOME = { monthlyIncome: 100_000, employmentMonths: 2 };
const BORDERLINE = { monthlyIncome: 300_000, employmentMonths: 12 }; // PD between approve and decline: manual review

type Line = WorkflowHandleWithFirstExecutionRunId<typeof creditLine>;

/** The money Updates and the request each takes, less the key and hash the caller adds. */
const UPDATES = {
  purchase: purchaseUpdate, refund: refundUpdate, repayment: repaymentUpdate, conversion: conversionUpdate, suspend: suspendUpdate, lift: liftUpdate, setLimit: limitUpdate,
  close: closeUpdate, cancelClosure: cancelClosureUpdate, pauseCollection: pauseCollectionUpdate, startHardshipPlan: hardshipPlanUpdate, writeOff: writeOffUpdate,
} as const;
type RequestOf<K extends keyof typeof UPDATES> = (typeof UPDATES)[K] extends UpdateDefinition<CommandResult, [infer R]> ? Omit<R, 'key' | 'requestHash'> : never;

async function main(): Promise<void> {
  const started = Date.now();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // Stopped last-started first, once, also on Ctrl-C (the run then fails and its `finally` waits for the same stop).
  const stops: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () => (stopping ??= (async () => {
    for (let stop = stops.pop(); stop; stop = stops.pop()) await stop().catch((err: unknown) => console.error('stopping:', err));
  })());
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`histories: ${signal}, stopping what was started; nothing written`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const histories = new Map<string, History>();
  try {
    // ── Services: a throwaway PostgreSQL cluster and a time-skipping test server ──
    const dataDir = path.resolve('.data', `histories-${process.pid}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    stops.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const [pg, executable] = await Promise.all([
      freePort().then((port) => startEmbeddedPostgres({ dataDir, port, database: 'revolve_histories', throwaway: true })),
      resolveTestServer(),
    ]);
    stops.push(() => pg.stop());
    const db = connect(pg.url, { max: 10 });
    // pool.end() resolves before its sockets close: PostgreSQL stopping right after reaches a client
    // still closing, and a pool with no 'error' listener would take the process down with it.
    let poolEnded = false;
    db.$client.on('error', (err) => { if (!poolEnded) console.error('PostgreSQL pool:', err.message); });
    stops.push(async () => { poolEnded = true; await disconnect(db); });
    await applyMigrations(db);

    const env = await startTimeSkipping(executable);
    stops.push(() => env.teardown());
    const namespace = env.namespace ?? 'default';
    await registerSearchAttributes(env.connection, namespace);
    const worker: Worker = await createWorker({
      connection: env.nativeConnection, namespace, taskQueue: TASK_QUEUE,
      // Activities act at the test server's time (as REVOLVE_CLOCK=temporal-test-server does).
      deps: { db, underwritingPolicy: STANDARD_PRODUCT.underwriting, clock: async () => new Date(await env.currentTimeMs()) },
    });
    const running = worker.run();
    stops.push(async () => { worker.shutdown(); await running; });

    await new Paths(env, db, histories).run();
  } finally {
    await stopAll();
  }

  // ── Only a complete corpus is written ──
  for (const [name, history] of histories) {
    // The worker's build id is a hash of the bundle; its digits can look like a phone number to a
    // scan for personal data, and replay never reads it: it is written as `bundle`.
    fs.writeFileSync(path.join(HERE, `${name}.json`), historyToJson(history).replace(/(@temporalio\/worker@[\d.]+\+)[0-9a-f]+/g, '$1bundle'));
    console.log(`wrote test/histories/${name}.json (${history.events?.length ?? 0} events)`);
  }
  console.log(`${histories.size} histories in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The SDK gives a starting server 5 s; a cold JVM can miss that, so only the start is retried. */
async function startTimeSkipping(executable: Awaited<ReturnType<typeof resolveTestServer>>): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

class Paths {
  private readonly applicationIds = new Map<string, string>();

  constructor(private readonly env: TestWorkflowEnvironment, private readonly db: Database, private readonly histories: Map<string, History>) {}

  /**
   * The time-skipping server has one clock: every line open when time moves closes its statement. So
   * the paths that must not close one are captured (and terminated) before time moves, and the
   * 7-day manual-review expiry, which moves the clock by itself, runs last.
   */
  async run(): Promise<void> {
    // ── Underwriting ──
    {
      const line = await this.apply(WELL_PAID);
      await this.waitForStatus(line, 'ACTIVE');
      await this.capture('underwriting-approved', line);
    }
    {
      const line = await this.apply(LOW_INCOME);
      expectEqual((await line.result()).status, 'DECLINED', 'underwriting-declined');
      await this.capture('underwriting-declined', line, { terminate: false });
    }
    {
      const line = await this.apply(BORDERLINE);
      await this.waitForManualReview(line);
      const outcome = await line.executeUpdate(decideApplicationUpdate, { args: [{ approve: true, limit: 200_000, note: 'payslips seen', staffId: 'S1' }] });
      expectEqual(outcome.status, 'APPROVED', 'underwriting-review-approved');
      await this.waitForStatus(line, 'ACTIVE');
      await this.capture('underwriting-review-approved', line);
    }
    {
      const line = await this.apply(BORDERLINE);
      await this.waitForManualReview(line);
      const outcome = await line.executeUpdate(decideApplicationUpdate, { args: [{ approve: false, note: 'income not proven', staffId: 'S2' }] });
      expectEqual(outcome.status, 'DECLINED', 'underwriting-review-declined');
      expectEqual((await line.result()).status, 'DECLINED', 'underwriting-review-declined');
      await this.capture('underwriting-review-declined', line, { terminate: false });
    }

    {
      // Declined, then reversed on review (patch-free: a new run with `reopened`): staff decide it.
      const declined = await this.apply(LOW_INCOME);
      expectEqual((await declined.result()).status, 'DECLINED', 'underwriting-reopened');
      const applicationId = this.applicationIds.get(declined.workflowId) ?? '';
      const reopened = await reopenApplication(this.db, applicationId);
      if (!reopened.reopened) throw new Error('underwriting-reopened: not reopened');
      const input = (await declined.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      const started = JSON.parse(Buffer.from(input?.data ?? new Uint8Array()).toString('utf8')) as CreditLineInput;
      const line = await this.env.client.workflow.start<typeof creditLine>('creditLine', {
        workflowId: declined.workflowId, taskQueue: TASK_QUEUE, args: [{ ...started, reopened: { version: reopened.version } }],
      });
      await this.waitForManualReview(line);
      const outcome = await line.executeUpdate(decideApplicationUpdate, { args: [{ approve: true, limit: 100_000, note: 'payslips seen on review', staffId: 'S3' }] });
      expectEqual(outcome.status, 'APPROVED', 'underwriting-reopened');
      await this.waitForStatus(line, 'ACTIVE');
      await this.capture('underwriting-reopened', line);
    }

    // ── Risk (patch \`risk\`): velocity, suspensions lifted, staff limits ──
    {
      const line = await this.openLine();
      for (let i = 0; i < 4; i++) await this.command(line, 'purchase', { merchantId: 'self-operated', amount: 5_000 }, true);
      const fifth = await this.command(line, 'purchase', { merchantId: 'self-operated', amount: 5_000 }, false);
      expectEqual(fifth.ok ? 'APPROVED' : fifth.code, 'RISK_DECLINED', 'velocity');
      await this.capture('velocity', line, { terminate: false });
      await this.command(line, 'lift', { reasons: ['RISK_LOGIN', 'RISK_VELOCITY'], via: 'VERIFICATION', actor: { type: 'customer', id: 'customer' } }, true);
      await this.command(line, 'purchase', { merchantId: 'self-operated', amount: 5_000 }, true);
      await this.capture('risk-lifted', line);
    }
    {
      const line = await this.openLine();
      const staff = { type: 'staff', id: 'S1' } as const;
      await this.command(line, 'suspend', { reason: 'RISK_LOGIN', riskEventId: 'risk-1', actor: { type: 'rule', id: 'login-new-device-new-city' } }, true);
      await this.command(line, 'suspend', { reason: 'STAFF', note: 'called the customer', actor: staff }, true);
      await this.command(line, 'lift', { reasons: ['RISK_LOGIN'], via: 'STAFF', note: 'it was them', actor: staff }, true);
      await this.command(line, 'lift', { reasons: ['STAFF'], via: 'REVIEW', note: 'reversed on review', actor: staff }, true);
      await this.command(line, 'setLimit', { limit: 150_000, via: 'REVIEW', note: 'restored', actor: staff }, true);
      await this.capture('suspensions', line);
    }
    // ── Closure, freeze (issue #11) ──
    {
      const line = await this.openLine();
      const closed = await this.command(line, 'close', { actor: { type: 'customer', id: 'customer' } }, true);
      expectEqual(closed.ok && closed.type === 'close' ? closed.body.status : 'REFUSED', 'CLOSED', 'closure-closed');
      expectEqual((await line.result()).status, 'CLOSED', 'closure-closed');
      await this.capture('closure-closed', line, { terminate: false });
    }
    {
      const line = await this.openLine();
      await this.command(line, 'purchase', { merchantId: 'self-operated', amount: 30_000 }, true);
      const closing = await this.command(line, 'close', { actor: { type: 'staff', id: 'S5' }, note: 'customer called', identityCheck: 'security questions' }, true);
      expectEqual(closing.ok && closing.type === 'close' ? closing.body.status : 'REFUSED', 'CLOSING', 'closure-closing');
      await this.command(line, 'cancelClosure', { actor: { type: 'customer', id: 'customer' } }, true);
      await this.command(line, 'close', { actor: { type: 'customer', id: 'customer' } }, true);
      const owed = (await line.query(payoffQuery, { at: new Date(await this.env.currentTimeMs()).toISOString() }))!.amount;
      await this.command(line, 'repayment', { amount: owed }, true);
      expectEqual((await line.result()).status, 'CLOSED', 'closure-closing');
      await this.capture('closure-closing', line, { terminate: false });
    }
    {
      const line = await this.openLine();
      const customer = { type: 'customer', id: 'customer' } as const;
      await this.command(line, 'suspend', { reason: 'CUSTOMER', actor: customer }, true);
      await this.command(line, 'lift', { reasons: ['CUSTOMER'], via: 'CUSTOMER', actor: customer }, true);
      await this.command(line, 'setLimit', { limit: 100_000, via: 'CUSTOMER', actor: customer }, true);
      await this.capture('freeze', line);
    }

    {
      // A write-off outside the ladder, as an approved maker–checker request sends it; then a recovery.
      const line = await this.openLine();
      await this.command(line, 'purchase', { merchantId: 'self-operated', amount: 40_000 }, true);
      const lineId = line.workflowId.replace('credit-line-', '');
      await this.command(line, 'writeOff', { approvalId: `${lineId}:approval:gen3`, note: 'estate insolvent', actor: { type: 'staff', id: 'S9' } }, true);
      await this.command(line, 'repayment', { amount: 10_000 }, true);
      await this.capture('write-off', line);
    }

    // Opened now with the smallest limit a person gave it, reviewed after six statements (time moves in
    // the ladder below, and after it): the model's limit is higher, so the review raises it.
    const reviewed = await this.apply(BORDERLINE);
    await this.waitForManualReview(reviewed);
    await reviewed.executeUpdate(decideApplicationUpdate, { args: [{ approve: true, limit: STANDARD_PRODUCT.underwriting.minLimit, note: 'start small', staffId: 'S4' }] });
    await this.waitForStatus(reviewed, 'ACTIVE');

    // ── Money on an open line, within one cycle ──
    {
      const line = await this.openLine();
      await this.command(line, 'purchase', { merchantId: 'self-operated', amount: 25_000, description: 'headphones' }, true);
      await this.capture('purchase', line);
    }
    {
      const line = await this.openLine();
      const limit = (await line.query(stateQuery)).limit ?? 0;
      const tooMuch = await this.command(line, 'purchase', { merchantId: 'affiliate-001', amount: limit + 1 }, false);
      expectEqual(tooMuch.ok ? 'APPROVED' : tooMuch.code, 'INSUFFICIENT_CREDIT', 'decline');
      // The same Idempotency-Key with another body: refused from what the line remembers.
      const key = randomUUID();
      await this.command(line, 'purchase', { merchantId: 'affiliate-001', amount: 1_000 }, true, key);
      const reused = await this.command(line, 'purchase', { merchantId: 'affiliate-001', amount: 2_000 }, false, key);
      expectEqual(reused.ok ? 'APPROVED' : reused.code, 'IDEMPOTENCY_KEY_REUSED', 'decline');
      await this.capture('decline', line);
    }
    {
      const line = await this.openLine();
      const bought = await this.command(line, 'purchase', { merchantId: 'self-operated', amount: 25_000 }, true);
      const purchaseId = bought.ok && bought.type === 'purchase' ? bought.body.purchaseId : '';
      await this.command(line, 'refund', { purchaseId, amount: 5_000 }, true);
      await this.capture('refund', line);
    }

    // ── Across a statement close (the workflow continues as new at each one) ──
    const statement = await this.openLine();
    await this.command(statement, 'purchase', { merchantId: 'self-operated', amount: 100_000 }, true);
    const conversion = await this.openLine();
    await this.command(conversion, 'purchase', { merchantId: 'affiliate-002', amount: 120_000 }, true);
    const repayment = await this.openLine();
    await this.command(repayment, 'purchase', { merchantId: 'affiliate-003', amount: 80_000 }, true);
    const quiet = await this.openLine();
    const reminder = await this.openLine();
    await this.command(reminder, 'purchase', { merchantId: 'self-operated', amount: 60_000 }, true);
    const lines = [statement, conversion, repayment, quiet, reminder];

    const closedStatements = await this.passStatementClose(lines);
    await this.capture('statement-close', statement, { runId: statement.firstExecutionRunId, terminate: false });
    await this.capture('continue-as-new-first-run', quiet, { runId: quiet.firstExecutionRunId, terminate: false });
    await this.capture('continue-as-new-second-run', quiet, { runId: await this.latestRunId(quiet) });
    await this.terminate(statement);
    {
      const statementId = statementIdOf(closedStatements.get(conversion.workflowId) ?? '');
      const count = STANDARD_PRODUCT.installments.allowedCounts[0] ?? 3;
      await this.command(conversion, 'conversion', { statementId, count }, true);
      await this.capture('conversion', conversion, { runId: await this.latestRunId(conversion) });
    }
    {
      await this.command(repayment, 'repayment', { amount: 50_000 }, true);
      // More than the 30,000 still owed: refused, nothing moves (PRODUCT §5; behind patch `solid-ground`).
      const over = await this.command(repayment, 'repayment', { amount: 40_000 }, false);
      expectEqual(over.ok ? 'ACCEPTED' : over.code, 'OVERPAYMENT', 'repayment');
      await this.command(repayment, 'repayment', { amount: 30_000 }, true);
      await this.capture('repayment', repayment, { runId: await this.latestRunId(repayment) });
    }
    {
      // Three days before the due date, at 10:00, the line wakes by itself and reminds (patch `reminders`).
      const state = await reminder.query(lineQuery);
      const due = state?.balances.statements[0]?.dueDate;
      if (!due) throw new Error('reminder: no statement owed');
      await this.env.sleep(Date.parse(instantAt(addDays(due, -3), '10:00')) - (await this.env.currentTimeMs()) + 60_000);
      await eventually('reminder', async () => {
        const rows = await this.db.select({ status: messages.status }).from(messages)
          .where(and(eq(messages.creditLineId, reminder.workflowId.replace('credit-line-', '')), eq(messages.template, 'PAYMENT_REMINDER'), eq(messages.channel, 'SMS')));
        return rows.length === 1 && rows[0]?.status === 'DELIVERED' && !(await reminder.query(lineQuery))?.pendingSms?.length;
      });
      await this.capture('reminder', reminder, { runId: await this.latestRunId(reminder) });
    }

    // ── A line speaks: its opening SMS waits for its moment (after quiet hours), then is delivered ──
    {
      const line = await this.openLine();
      const lineId = line.workflowId.replace('credit-line-', '');
      const smsOf = () => this.db.select({ status: messages.status, sendAt: messages.sendAt }).from(messages)
        .where(and(eq(messages.creditLineId, lineId), eq(messages.template, 'LINE_OPENED'), eq(messages.channel, 'SMS')));
      await eventually('sms-delivered: written', async () => (await smsOf()).length === 1);
      // Opened in quiet hours, it waits for 08:00; in the day, it goes at once.
      const ahead = Date.parse((await smsOf())[0]!.sendAt) - (await this.env.currentTimeMs());
      if (ahead > 0) await this.env.sleep(ahead + 60_000);
      await eventually('sms-delivered', async () => (await smsOf())[0]?.status === 'DELIVERED' && !(await line.query(lineQuery))?.pendingSms?.length);
      await this.capture('sms-delivered', line);
    }

    // ── A write the database refuses for good: the command fails, the line rolls back and goes on ──
    {
      const line = await this.openLine();
      await this.db.execute(sql`ALTER TABLE transactions ADD CONSTRAINT histories_trap_1313 CHECK (amount <> 1313)`);
      const refused = await this.command(line, 'purchase', { merchantId: 'self-operated', amount: 1_313 }, false).then(() => 'ANSWERED', (err: unknown) => (err as { cause?: { type?: string } }).cause?.type);
      expectEqual(refused, 'COMMAND_FAILED', 'write-refused');
      await this.db.execute(sql`ALTER TABLE transactions DROP CONSTRAINT histories_trap_1313`);
      await this.command(line, 'purchase', { merchantId: 'self-operated', amount: 500 }, true);
      await this.capture('write-refused', line);
    }

    // ── The overdue ladder (patch `collections`): each step, a cure, the charge-off and a recovery ──
    {
      const ladder = await this.openLine();
      await this.command(ladder, 'purchase', { merchantId: 'self-operated', amount: 70_000 }, true);
      const cured = await this.openLine();
      await this.command(cured, 'purchase', { merchantId: 'self-operated', amount: 30_000 }, true);
      const paused = await this.openLine();
      await this.command(paused, 'purchase', { merchantId: 'self-operated', amount: 30_000 }, true);
      const hardship = await this.openLine();
      await this.command(hardship, 'purchase', { merchantId: 'self-operated', amount: 60_000 }, true);
      const { nextStatementDate } = (await ladder.query(lineQuery))!;
      const due = addDays(nextStatementDate, STANDARD_PRODUCT.statement.dueDateOffsetDays);
      const dayOf = async (line: Line, dpd: number, then: (state: Awaited<ReturnType<typeof queryState>>) => boolean) => {
        await this.env.sleep(Date.parse(instantAt(addDays(due, dpd), '12:00')) - (await this.env.currentTimeMs()));
        await eventually(`ladder DPD ${dpd}`, async () => then(await queryState(line)));
      };
      const queryState = (line: Line) => line.query(lineQuery);
      for (const [dpd, name] of [[1, 'ladder-dpd1'], [3, 'ladder-dpd3'], [7, 'ladder-dpd7']] as const) {
        await dayOf(ladder, dpd, (s) => s?.collection?.done.includes(dpd) === true && !s.pendingSms?.length);
        await this.capture(name, ladder, { runId: await this.latestRunId(ladder), terminate: false });
      }
      // Staff pause collection on another line for five days (issue #11): contacts wait, penalties go on.
      await dayOf(paused, 4, (s) => s?.collection?.done.includes(3) === true);
      const until = new Date((await this.env.currentTimeMs()) + 5 * 24 * 3_600_000).toISOString();
      await this.command(paused, 'pauseCollection', { until, reason: 'customer in hospital', actor: { type: 'staff', id: 'S6' } }, true);
      await this.capture('collection-pause', paused, { runId: await this.latestRunId(paused) });
      // The other line pays everything overdue at DPD 10: cured.
      await dayOf(cured, 10, (s) => s?.collection !== undefined);
      const owed = (await cured.query(payoffQuery, { at: new Date(await this.env.currentTimeMs()).toISOString() }))!.amount;
      await this.command(cured, 'repayment', { amount: owed }, true);
      await eventually('cure', async () => (await cured.query(lineQuery))?.status === 'ACTIVE');
      await this.capture('cure', cured, { runId: await this.latestRunId(cured) });
      // A maker–checker request (its own workflow): a fee waiver asked by one, approved by another, applied to the line;
      // then a hardship plan re-ages what is overdue (sent as an approved request sends it).
      {
        const lineId = hardship.workflowId.replace('credit-line-', '');
        const approvalId = `${lineId}:approval:gen1`;
        const input: StaffApprovalInput = { approvalId, creditLineId: lineId, kind: 'FEE_WAIVER', request: { kind: 'FEE_WAIVER', amount: 100, reason: 'hospital stay' }, makerId: 'S7', expiresAfterHours: 72 };
        const approval = await this.env.client.workflow.start<typeof staffApproval>('staffApproval', { workflowId: approvalWorkflowIdFor(approvalId), taskQueue: TASK_QUEUE, args: [input] });
        await eventually('staff-approval waiting', async () => {
          const [row] = await this.db.select({ status: approvals.status }).from(approvals).where(eq(approvals.id, approvalId));
          return row?.status === 'PENDING';
        });
        const outcome = await approval.executeUpdate(decideApprovalUpdate, { args: [{ approve: true, note: 'documents seen', checkerId: 'S8' }] });
        expectEqual(outcome.status, 'APPROVED', 'staff-approval');
        await approval.result();
        await this.capture('staff-approval', approval as unknown as Line, { terminate: false });
        await this.command(hardship, 'startHardshipPlan', { installments: 6, note: 'lost job', approvalId: `${lineId}:approval:gen2`, actor: { type: 'staff', id: 'S7' } }, true);
        await eventually('hardship-plan', async () => (await hardship.query(lineQuery))?.suspensionReasons.includes('OVERDUE') === false);
        await this.capture('hardship-plan', hardship, { runId: await this.latestRunId(hardship) });
      }
      for (const [dpd, name] of [[15, 'ladder-dpd15'], [30, 'ladder-dpd30']] as const) {
        await dayOf(ladder, dpd, (s) => s?.collection?.done.includes(dpd) === true);
        await this.capture(name, ladder, { runId: await this.latestRunId(ladder), terminate: false });
      }
      await dayOf(ladder, 90, (s) => s?.status === 'CHARGED_OFF');
      await this.capture('charge-off', ladder, { runId: await this.latestRunId(ladder), terminate: false });
      await this.command(ladder, 'repayment', { amount: 10_000 }, true);
      await this.capture('recovery', ladder, { runId: await this.latestRunId(ladder) });
    }

    // ── Six on-time statements: the model reviews the limit (patch \`risk\`) ──
    {
      for (let month = 0; month < 8; month++) {
        const state = await reviewed.query(lineQuery).catch(() => null);
        if (state?.risk && state.risk.onTimeCycles >= 6 && state.risk.cyclesSinceReview === 0) break;
        await this.env.sleep(31 * 24 * 3_600_000);
        await eventually('limit-review month', async () => (await this.env.client.workflow.getHandle(reviewed.workflowId).describe()).status.name === 'RUNNING');
      }
      const latest = this.env.client.workflow.getHandle<typeof creditLine>(reviewed.workflowId);
      await eventually('limit-review', async () => {
        const state = await latest.query(lineQuery);
        return (state?.risk?.onTimeCycles ?? 0) >= 6 && state?.risk?.cyclesSinceReview === 0;
      });
      // The run that asked the model: walked back from the latest, run by run (each names the one it continued).
      let captured = false;
      let runId: string | undefined = await this.latestRunId(reviewed);
      for (let hops = 0; runId && hops < 12 && !captured; hops++) {
        const history = await this.env.client.workflow.getHandle(reviewed.workflowId, runId).fetchHistory();
        if (JSON.stringify(history).includes('rescoreLine')) {
          this.histories.set('limit-review', history);
          captured = true;
          console.log(`captured limit-review (${reviewed.workflowId}, ${history.events?.length ?? 0} events)`);
        }
        runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
      }
      if (!captured) throw new Error('limit-review: no run asked the model');
      await this.terminate(reviewed);
    }

    // ── Last: the time-skipping server jumps the 7-day review timer while the result is awaited ──
    {
      const line = await this.apply(BORDERLINE);
      await this.waitForManualReview(line);
      expectEqual((await line.result()).status, 'DECLINED', 'underwriting-review-expired');
      await this.capture('underwriting-review-expired', line, { terminate: false });
    }
  }

  /** An application received as the API receives it, and its workflow started as the API starts it. */
  private async apply(applicant: { monthlyIncome: number; employmentMonths?: number }): Promise<Line> {
    const input: CreditLineInput = {
      applicationId: `app_${randomUUID()}`, creditLineId: `cl_${randomUUID()}`, customerId: `C-${randomUUID().slice(0, 8)}`,
      productId: STANDARD_PRODUCT.id, statementDay: 5,
    };
    await insertApplication(this.db, {
      ...input, phone: '13800138000', monthlyIncome: applicant.monthlyIncome, employmentMonths: applicant.employmentMonths ?? 36, age: 30,
    });
    this.applicationIds.set(workflowIdFor(input.creditLineId), input.applicationId);
    return this.env.client.workflow.start<typeof creditLine>('creditLine', {
      workflowId: workflowIdFor(input.creditLineId), taskQueue: TASK_QUEUE, args: [input],
      typedSearchAttributes: [
        { key: searchAttributes.status, value: 'UNDERWRITING' },
        { key: searchAttributes.customerId, value: input.customerId },
      ],
    });
  }

  private async openLine(): Promise<Line> {
    const line = await this.apply(WELL_PAID);
    await this.waitForStatus(line, 'ACTIVE');
    return line;
  }

  /** A money command as the API sends it: the Update ID derived from the key and the request's hash. */
  private async command<K extends keyof typeof UPDATES>(
    line: Line, type: K, request: RequestOf<K>, mustSucceed: boolean, key: string = randomUUID(),
  ): Promise<CommandResult> {
    const requestHash = createHash('sha256').update(JSON.stringify({ type, request })).digest('hex');
    const update = UPDATES[type] as UpdateDefinition<CommandResult, [unknown]>;
    const result = await line.executeUpdate(update, { args: [{ key, requestHash, ...request }], updateId: updateIdFor(type, key, requestHash) });
    if (mustSucceed && !result.ok) throw new Error(`${type} ${JSON.stringify(request)} refused: ${result.code} ${result.message}`);
    return result;
  }

  /** Moves the shared clock just past the lines' statement close and waits for each to continue as new. */
  private async passStatementClose(lines: Line[]): Promise<Map<string, string>> {
    const closing = new Map<string, string>();
    let wakeAt = 0;
    for (const line of lines) {
      const state = await line.query(lineQuery);
      if (!state) throw new Error(`${line.workflowId} has no open line`);
      closing.set(line.workflowId, state.nextStatementDate);
      wakeAt = Math.max(wakeAt, Date.parse(cycleCloseInstant(state.nextStatementDate)));
    }
    const now = await this.env.currentTimeMs();
    await this.env.sleep(wakeAt - now + 3_600_000);
    for (const line of lines) {
      await eventually(`${line.workflowId} continued as new past ${closing.get(line.workflowId)}`, async () => {
        const latest = this.env.client.workflow.getHandle<typeof creditLine>(line.workflowId);
        const { runId, status } = await latest.describe();
        if (runId === line.firstExecutionRunId || status.name !== 'RUNNING') return false;
        const state = await latest.query(lineQuery);
        return state !== null && state.nextStatementDate > (closing.get(line.workflowId) ?? '');
      });
    }
    return closing;
  }

  private async latestRunId(line: Line): Promise<string> {
    return (await this.env.client.workflow.getHandle(line.workflowId).describe()).runId;
  }

  private async waitForStatus(line: Line, status: CreditLineStatus): Promise<void> {
    await eventually(`${line.workflowId} ${status}`, async () => (await line.query(stateQuery)).status === status);
  }

  private async waitForManualReview(line: Line): Promise<void> {
    const applicationId = this.applicationIds.get(line.workflowId) ?? '';
    await eventually(`${line.workflowId} in manual review`, async () => {
      const [row] = await this.db.select({ status: applications.status }).from(applications).where(eq(applications.id, applicationId));
      return row?.status === 'MANUAL_REVIEW';
    });
  }

  private async terminate(line: Line, runId?: string): Promise<void> {
    const handle = this.env.client.workflow.getHandle(line.workflowId, runId);
    if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('history captured');
  }

  /**
   * A running line is captured once it is idle (every workflow task completed, its timer to the next
   * statement close started) and then terminated, so its history ends where the path ends.
   */
  private async capture(name: string, line: Line, opts: { runId?: string; terminate?: boolean } = {}): Promise<void> {
    const runId = opts.runId ?? line.firstExecutionRunId;
    const handle = this.env.client.workflow.getHandle(line.workflowId, runId);
    if (opts.terminate ?? true) {
      await eventually(`${name} idle`, async () => idle(await handle.fetchHistory()));
      await this.terminate(line, runId);
    }
    const history = await handle.fetchHistory();
    if (!history.events?.length) throw new Error(`${name}: empty history`);
    this.histories.set(name, history);
    console.log(`captured ${name} (${line.workflowId}, ${history.events.length} events)`);
  }
}

const EventType = proto.temporal.api.enums.v1.EventType;

/** No workflow task outstanding, and the line waits on its timer. */
function idle(history: History): boolean {
  const types = (history.events ?? []).map((e) => e.eventType);
  const count = (...of: (typeof types)[number][]) => types.filter((t) => of.includes(t)).length;
  // No activity in flight either: one cut off by the termination would hold the time-skipping clock for good.
  const activitiesOpen = count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) > count(
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
  );
  return types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) > types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
    && types.includes(EventType.EVENT_TYPE_TIMER_STARTED) && !activitiesOpen;
}

async function eventually(what: string, done: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function expectEqual<T>(actual: T, expected: T, path: string): void {
  if (actual !== expected) throw new Error(`${path}: expected ${String(expected)}, got ${String(actual)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => { console.error('histories: generation failed, nothing written:', err); process.exit(1); },
);
