/*
 * One line through 24 monthly cycles on the time-skipping server, with real activities and
 * PostgreSQL. Beside the workflow runs a mirror: the same domain functions fed the same commands at
 * the same moments. After every step the workflow's live state must equal the mirror's, every
 * closed statement in the read model must equal the domain's, and at the end the ledger check passes.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkLedger } from '../../db/ledger-check';
import { creditLines, installments, statements } from '../../db/schema';
import { addDays, instantAt, localDay } from '../../domain/calendar';
import { advance, decide, openLine, payoff, quoteInstallments, type Command, type CommandResult, type CreditLineState } from '../../domain/line';
import { lineFigures, statementFigures } from '../../domain/projection';
import { STANDARD_PRODUCT } from '../../domain/product';
import type { Statement } from '../../domain/cycle';
import {
  conversionUpdate, installmentQuoteQuery, lineQuery, payoffQuery, purchaseUpdate, refundUpdate, repaymentUpdate, searchAttributes, stateQuery,
  updateIdFor, workflowIdFor, type CreditLineInput,
} from '../../workflows/messages';
import { receiveApplication } from '../support/fixtures';
import { useTimeSkippingWorker } from '../support/temporal';

const product = STANDARD_PRODUCT;
const fixture = useTimeSkippingWorker('cycles-test');

/** Strips what legitimately differs between the workflow and its mirror (event counters, cached answers). */
// The SMS still to deliver and the reminders sent are the workflow's errands (their delivery moves with the server's clock),
// not the money this test follows: left out of the comparison with the mirror.
/** The line's own rules, as the workflow runs them (reminders, the overdue ladder). */
const LINE_RULES = { reminders: true, collections: true, penaltyThroughToday: true };

const comparable = (s: CreditLineState | null) => s && { ...s, version: 0, remembered: s.remembered.map((r) => r.key), pendingSms: undefined, remindersSent: undefined,
  // When an SMS goes depends on when the line woke to say it; the mirror only acts at this test's checkpoints.
  ...(s.collection ? { collection: { ...s.collection, smsDays: undefined } } : {}),
  // The repayment record is kept by the workflow at each close for the limit review (unit/line-limit), not by `advance`.
  ...(s.risk ? { risk: { smallPurchases: s.risk.smallPurchases } } : {}) };

describe('a credit line over 24 monthly cycles', () => {
  it('keeps every statement, installment and balance equal to the domain, the ledger balanced and each run short', async () => {
    const input: CreditLineInput = await receiveApplication(fixture.database.db, { monthlyIncome: 2_000_000, statementDay: 5 });
    const handle = await fixture.env.client.workflow.start('creditLine', {
      workflowId: workflowIdFor(input.creditLineId), taskQueue: fixture.taskQueue, args: [input],
      typedSearchAttributes: [{ key: searchAttributes.customerId, value: input.customerId }],
    });
    const nowIso = async () => new Date(await fixture.env.currentTimeMs()).toISOString();
    const sleepUntil = async (instant: string) => {
      const ms = Date.parse(instant) - (await fixture.env.currentTimeMs());
      if (ms > 0) await fixture.env.sleep(ms);
    };

    // The mirror opens when the workflow does, on the same day and with the same limit.
    let opened: CreditLineState | null = null;
    for (let i = 0; i < 100 && !opened; i++) {
      opened = await handle.query(lineQuery);
      if (!opened) await new Promise((r) => setTimeout(r, 50));
    }
    expect(opened).not.toBeNull();
    let mirror = openLine({ ...input, limit: opened!.limit, now: instantAt(opened!.openedOn, '12:00'), version: opened!.version });
    const closedStatements: Statement[] = [];
    const catchUpMirror = (now: string) => {
      const advanced = advance(mirror, now, product, LINE_RULES);
      mirror = advanced.state;
      closedStatements.push(...advanced.closed);
    };
    // The workflow accrues lazily (no daily timers): its state, brought up to now, is the mirror's.
    const expectSameState = async () => {
      const now = await nowIso();
      catchUpMirror(now);
      const live = await handle.query(lineQuery);
      // The model's limit review at a close (the workflow asks an activity): the mirror takes the same new limit.
      for (const review of live?.remembered.filter((r) => r.key.startsWith('limit-review:') && !mirror.remembered.some((m) => m.key === r.key)) ?? []) {
        const body = review.result.ok && review.result.type === 'setLimit' ? review.result.body : null;
        if (!body) continue;
        mirror = decide(mirror, {
          type: 'setLimit', key: review.key, requestHash: review.requestHash, via: 'MODEL', limit: body.limit, actor: { type: 'model', id: 'mirror' },
          model: { version: 'mirror', probabilityOfDefault: 0, reasons: [] },
        }, now, product).state;
      }
      expect(comparable(live && advance(live, now, product, LINE_RULES).state)).toEqual(comparable(mirror));
    };

    /** Sends a command to the workflow and the same command to the mirror; the answers must agree. */
    const send = async (command: Command): Promise<CommandResult> => {
      const key = randomUUID();
      const requestHash = randomUUID().replaceAll('-', '');
      const updateId = updateIdFor(command.type, key, requestHash);
      const now = await nowIso();
      let result: CommandResult;
      if (command.type === 'purchase') result = await handle.executeUpdate(purchaseUpdate, { args: [{ key, requestHash, merchantId: command.merchantId, amount: command.amount }], updateId });
      else if (command.type === 'refund') result = await handle.executeUpdate(refundUpdate, { args: [{ key, requestHash, purchaseId: command.purchaseId, amount: command.amount }], updateId });
      else if (command.type === 'repayment') result = await handle.executeUpdate(repaymentUpdate, { args: [{ key, requestHash, amount: command.amount }], updateId });
      else if (command.type === 'conversion') result = await handle.executeUpdate(conversionUpdate, { args: [{ key, requestHash, statementId: command.statementId, count: command.count }], updateId });
      else throw new Error(`not driven by this test: ${command.type}`);
      catchUpMirror(now);
      const ids = result.ok && result.type === 'purchase' ? { purchaseId: result.body.purchaseId }
        : result.ok && result.type === 'refund' ? { refundId: result.body.refundId }
          : result.ok && result.type === 'repayment' ? { repaymentId: result.body.repaymentId } : {};
      const decided = decide(mirror, { ...command, key, requestHash, ...ids } as Command, now, product);
      mirror = decided.state;
      expect(result).toEqual(decided.result);
      return result;
    };
    const none = { key: '', requestHash: '' };

    let conversions = 0;
    let latePayments = 0;
    let payoffs = 0;
    let refunds = 0;
    const runLengths: number[] = [];
    for (let cycle = 0; cycle < 24; cycle++) {
      const statementDate = mirror.nextStatementDate;
      // Shopping mid-cycle, at 10:00 Shanghai.
      await sleepUntil(instantAt(addDays(statementDate, -10), '10:00'));
      const bought: string[] = [];
      for (const amount of [12_345 + cycle * 101, 8_000, 31_999 - cycle * 7]) {
        const r = await send({ type: 'purchase', purchaseId: '', merchantId: cycle % 2 ? 'affiliate-002' : 'self-operated', amount, ...none });
        expect(r.ok).toBe(true);
        if (r.ok && r.type === 'purchase') bought.push(r.body.purchaseId);
      }
      if (cycle % 4 === 1) {
        const r = await send({ type: 'refund', refundId: '', purchaseId: bought[1]!, amount: 3_000, ...none });
        expect(r.ok).toBe(true);
        refunds++;
      }
      await expectSameState();

      // The close: the workflow wakes at 00:00 after the statement date, bills, and continues as new.
      const historyLength = (await handle.fetchHistory()).events?.length ?? 0;
      runLengths.push(historyLength);
      await sleepUntil(instantAt(addDays(statementDate, 1), '10:00'));
      await expectSameState();
      const closed = closedStatements.find((s) => s.statementDate === statementDate);
      expect(closed).toBeDefined();
      const [row] = await fixture.database.db.select().from(statements).where(and(eq(statements.creditLineId, input.creditLineId), eq(statements.statementDate, statementDate)));
      expect(row).toMatchObject(statementFigures(closed!));
      const statementId = row!.id;
      const dueDate = closed!.dueDate;

      if (cycle % 6 === 2 && closed!.newPrincipal > 0) {
        // Split into 3 installments the day after the statement: the quote is the domain's, then convert.
        const at = await nowIso();
        const day = localDay(at);
        const quoted = await handle.query(installmentQuoteQuery, { statementId, count: 3, at });
        expect(quoted).toEqual(quoteInstallments(mirror, statementId, 3, day, product));
        expect(quoted.ok && quoted.quote.apr).toBeGreaterThan(0);
        const converted = await send({ type: 'conversion', statementId, count: 3, ...none });
        expect(converted.ok).toBe(true);
        conversions++;
        const plan = await fixture.database.db.select().from(installments).where(eq(installments.creditLineId, input.creditLineId));
        expect(plan.filter((i) => i.statementId === statementId).map((i) => i.principal).reduce((a, b) => a + b, 0)).toBe(closed!.newPrincipal);
      } else if (cycle % 6 === 4) {
        // Late: five days past the due date, penalties accrue; then everything owed is paid.
        await sleepUntil(instantAt(addDays(dueDate, 5), '10:00'));
        await expectSameState();
        expect(mirror.balances.penalties).toBeGreaterThan(0);
        const at = await nowIso();
        expect(await handle.query(payoffQuery, { at })).toEqual(payoff(mirror, localDay(at)));
        await send({ type: 'repayment', repaymentId: '', amount: closed!.amountDue + mirror.balances.penalties, ...none });
        latePayments++;
      } else if (cycle % 6 === 5) {
        // Early payoff of everything, unearned installment fees waived.
        await sleepUntil(instantAt(addDays(statementDate, 3), '10:00'));
        const at = await nowIso();
        const quote = payoff(mirror, localDay(at));
        expect(await handle.query(payoffQuery, { at })).toEqual(quote);
        if (quote.amount > 0) await send({ type: 'repayment', repaymentId: '', amount: quote.amount, ...none });
        payoffs++;
      } else if (closed!.amountDue > 0) {
        // On time, ten days before the due date, the statement in full.
        await sleepUntil(instantAt(addDays(dueDate, -10), '10:00'));
        await send({ type: 'repayment', repaymentId: '', amount: closed!.amountDue, ...none });
      }
      await expectSameState();
      const [line] = await fixture.database.db.select().from(creditLines).where(eq(creditLines.id, input.creditLineId));
      const figures = lineFigures(mirror.limit, mirror.balances);
      expect(line).toMatchObject({ balance: figures.balance, available: figures.available, principal: figures.accounts.PRINCIPAL, nextStatementDate: mirror.nextStatementDate });
    }

    expect(closedStatements.length).toBeGreaterThanOrEqual(24);
    expect({ conversions, latePayments, payoffs, refunds }).toEqual({ conversions: 4, latePayments: 4, payoffs: 4, refunds: 6 });
    // Continue-as-new at every close keeps each run's history short.
    expect(Math.max(...runLengths)).toBeLessThan(2000);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(searchAttributes.status)).toBe('ACTIVE');
    expect((await handle.query(stateQuery)).status).toBe('ACTIVE');
    const check = await checkLedger(fixture.database.db);
    expect(check.differences).toEqual([]);
    expect(check.ok).toBe(true);
    await handle.terminate('test done');
  });
});
