/**
 * Simulated customers, the platform and support staff driving the API: a seeded stream of
 * operations (purchases, refunds, repayments, conversions, logins, freezes, closures, staff
 * suspensions, maker–checker requests, reads), money operations sent with duplicate, concurrent and
 * late retries of the same Idempotency-Key. Operation n draws from its own generator (seed, n), so a
 * seed names the same operations whatever the timing; what they meet (a purchase to refund, a
 * suspension to lift) depends on the answers before them.
 */
import { issueToken } from '../api/auth';
import { ChaosClient, isDecision, type Answer, type Request } from './client';
import { Rng } from './random';
import type { FlakySmsGateway } from './sms-gateway';

export type MoneyKind = 'purchase' | 'refund' | 'repayment' | 'conversion';

/** One money request (one line, one key): every answer it got, kept for the invariants. */
export interface MoneyRequest {
  kind: MoneyKind;
  creditLineId: string;
  key: string;
  path: string;
  body: Record<string, unknown>;
  token: string;
  opNo: number;
}

export interface SimulatedCustomer {
  index: number;
  customerId: string;
  phone: string;
  token: string;
  creditLineId: string;
  device: string;
  ip: string;
  city: string;
  /** Purchases approved (201 received), with what is refunded of each. */
  purchases: { id: string; amount: number; refunded: number }[];
  /** From the latest read of the line. */
  known: { status: string; suspensionReasons: string[]; balance: number; limit: number };
}

export interface WorkloadStats {
  ops: number;
  byKind: Record<string, number>;
  requests: number;
}

const MERCHANTS = ['self-operated', 'affiliate-001', 'affiliate-002', 'affiliate-003'];
const CITIES = ['Hangzhou', 'Chengdu', 'Wuhan', 'Xiamen', 'Nanjing', 'Suzhou', 'Qingdao', 'Dalian'];

/** How often each operation is drawn. */
const OPERATION_WEIGHTS = {
  purchase: 38, refund: 9, repayment: 14, conversion: 2, login: 9, riskLift: 3, freeze: 3, staffSuspension: 3,
  makerChecker: 3, closure: 1, read: 15,
} as const;
type Operation = keyof typeof OPERATION_WEIGHTS;

export class Workload {
  readonly customers: SimulatedCustomer[] = [];
  readonly moneyRequests = new Map<string, MoneyRequest>();
  /** A key re-used with another body: each must be refused IDEMPOTENCY_KEY_REUSED and move nothing. */
  readonly reusedKeys: { creditLineId: string; key: string; answer: Answer }[] = [];
  /** One-time codes the run read from SMS: they must appear in no history. */
  readonly codesSeen = new Set<string>();
  readonly stats: WorkloadStats = { ops: 0, byKind: {}, requests: 0 };
  private adminToken = '';
  private makerToken = '';
  private checkerToken = '';

  constructor(
    private readonly client: ChaosClient,
    private readonly gateway: FlakySmsGateway,
    private readonly opts: { seed: number; jwtSecret: string; log: (line: string) => void },
  ) {}

  /** Personal data the run handed to the system (phones, devices, addresses, codes): none may reach a history. */
  personalData(): string[] {
    return [
      ...this.customers.flatMap((c) => [c.phone, c.device, c.ip]),
      ...[...this.codesSeen].map((code) => `"${code}"`),
    ];
  }

  /** Applies for `count` lines (distinct customers) and waits until each is ACTIVE. */
  async openLines(count: number, concurrency: number): Promise<void> {
    this.adminToken = await issueToken(this.opts.jwtSecret, 'platform', 'admin');
    this.makerToken = await issueToken(this.opts.jwtSecret, 'agent-maker', 'support');
    this.checkerToken = await issueToken(this.opts.jwtSecret, 'agent-checker', 'support');
    const indexes = Array.from({ length: count }, (_, i) => i);
    await pool(indexes, concurrency, async (index) => {
      const rng = new Rng(this.opts.seed * 7919 + index);
      // Incomes vary so the model grants different limits (a raise above the model's needs a checker).
      const monthlyIncome = rng.pick([1_200_000, 2_000_000, 3_000_000, 5_000_000]);
      // A declined applicant is replaced by another customer; a manual review is decided by staff.
      for (let attempt = 0; attempt < 5; attempt++) {
        const customerId = `chaos-${this.opts.seed}-${index}${attempt ? `-${attempt}` : ''}`;
        const token = await issueToken(this.opts.jwtSecret, customerId, 'customer');
        const phone = `13${String(this.opts.seed % 1000).padStart(3, '0')}${String(index * 5 + attempt).padStart(6, '0')}`;
        const applied = await this.client.decide({
          op: 'apply', opNo: -1 - index, method: 'POST', path: '/v1/applications', token,
          body: { phone, monthlyIncome, employmentMonths: 120, age: 35 },
        }, 120_000);
        const { creditLineId, applicationId } = (applied.body ?? {}) as { creditLineId?: string; applicationId?: string };
        if (!creditLineId || !applicationId) throw new Error(`application ${customerId} answered ${applied.status} ${JSON.stringify(applied.body)}`);
        const decided = await this.underwritten(applicationId, token, index);
        if (decided === 'DECLINED') continue;
        const customer: SimulatedCustomer = {
          index, customerId, phone, token, creditLineId,
          device: `device-${rng.hex(16)}`, ip: `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`, city: rng.pick(CITIES),
          purchases: [], known: { status: 'UNDERWRITING', suspensionReasons: [], balance: 0, limit: 0 },
        };
        const deadline = Date.now() + 180_000;
        while (customer.known.status !== 'ACTIVE') {
          if (Date.now() > deadline) throw new Error(`line ${creditLineId} did not become ACTIVE (last: ${customer.known.status})`);
          await this.read(customer, -1 - index);
          if (customer.known.status !== 'ACTIVE') await new Promise((r) => setTimeout(r, 300));
        }
        // The platform has seen this customer log in before: the first login only records.
        await this.client.decide({ op: 'login', opNo: -1 - index, method: 'POST', path: '/v1/risk/login-events', token: this.adminToken, body: this.login(customer, true) });
        this.customers.push(customer);
        return;
      }
      throw new Error(`five applicants in a row declined for line ${index}`);
    });
    this.customers.sort((a, b) => a.index - b.index);
  }

  /** Waits for the model's decision; a manual review is approved by staff. */
  private async underwritten(applicationId: string, token: string, index: number): Promise<'APPROVED' | 'DECLINED'> {
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const answer = await this.client.decide({ op: 'application', opNo: -1 - index, method: 'GET', path: `/v1/applications/${applicationId}`, token }, 30_000);
      const status = (answer.body as { status?: string } | undefined)?.status;
      if (status === 'APPROVED' || status === 'DECLINED') return status;
      if (status === 'MANUAL_REVIEW') {
        await this.client.decide({ op: 'staff:underwriting', opNo: -1 - index, method: 'POST', path: `/v1/support/applications/${applicationId}/decision`, token: this.checkerToken, body: { approve: true, limit: 1_000_000, note: 'chaos: documents seen' } });
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`application ${applicationId} was not decided within 180 s`);
  }

  /** Operation `opNo`: drawn from (seed, opNo), carried out, every answer journaled. */
  async run(opNo: number): Promise<void> {
    const rng = new Rng(this.opts.seed * 1_000_003 + opNo);
    const customer = rng.pick(this.customers);
    const operation = rng.weighted<Operation>({ ...OPERATION_WEIGHTS });
    this.stats.ops += 1;
    this.stats.byKind[operation] = (this.stats.byKind[operation] ?? 0) + 1;
    switch (operation) {
      case 'purchase': return this.purchase(rng, customer, opNo);
      case 'refund': return this.refund(rng, customer, opNo);
      case 'repayment': return this.repayment(rng, customer, opNo);
      case 'conversion': return this.conversion(customer, opNo);
      case 'login': return this.loginEvent(rng, customer, opNo);
      case 'riskLift': return this.riskLift(customer, opNo);
      case 'freeze': return this.freeze(customer, opNo);
      case 'staffSuspension': return this.staffSuspension(customer, opNo);
      case 'makerChecker': return this.makerChecker(rng, customer, opNo);
      case 'closure': return this.closure(rng, customer, opNo);
      case 'read': return this.read(customer, opNo);
    }
  }

  // ── Money: every request kept with its key, sent alone, twice at once, again later, or its key re-used ──

  private async purchase(rng: Rng, c: SimulatedCustomer, opNo: number): Promise<void> {
    const shape = rng.weighted({ normal: 86, small: 2, foreignMerchant: 4, tooLarge: 8 });
    const amount = shape === 'small' ? rng.int(100, 5_000) : shape === 'tooLarge' ? c.known.limit + rng.int(1, 100_000) : rng.int(5_100, 80_000);
    const merchantId = shape === 'foreignMerchant' ? 'elsewhere-007' : rng.pick(MERCHANTS);
    const answer = await this.money(rng, c, opNo, 'purchase', `/v1/credit-lines/${c.creditLineId}/purchases`, { merchantId, amount, description: `chaos op ${opNo}` });
    const body = answer?.body as { purchaseId?: string } | undefined;
    if (answer?.status === 201 && body?.purchaseId && !c.purchases.some((p) => p.id === body.purchaseId)) c.purchases.push({ id: body.purchaseId, amount, refunded: 0 });
  }

  private async refund(rng: Rng, c: SimulatedCustomer, opNo: number): Promise<void> {
    if (c.purchases.length === 0) return this.purchase(rng, c, opNo);
    const purchase = rng.pick(c.purchases);
    const left = purchase.amount - purchase.refunded;
    // Now and then more than is left: refused, nothing moves.
    const amount = left <= 0 || rng.chance(0.1) ? left + rng.int(1, 1_000) : rng.int(1, left);
    const answer = await this.money(rng, c, opNo, 'refund', `/v1/credit-lines/${c.creditLineId}/purchases/${purchase.id}/refunds`, { amount });
    if (answer?.status === 201) purchase.refunded += amount;
  }

  private async repayment(rng: Rng, c: SimulatedCustomer, opNo: number): Promise<void> {
    await this.read(c, opNo);
    if (c.known.balance <= 0) return this.purchase(rng, c, opNo);
    // Now and then more than is owed: refused OVERPAYMENT, nothing moves.
    const amount = rng.chance(0.1) ? c.known.balance + rng.int(1, 10_000) : rng.chance(0.3) ? c.known.balance : rng.int(1, c.known.balance);
    await this.money(rng, c, opNo, 'repayment', `/v1/credit-lines/${c.creditLineId}/repayments`, { amount });
  }

  /** Statements come monthly: in a run of minutes there is rarely one to split, and the refusal is the point. */
  private async conversion(c: SimulatedCustomer, opNo: number): Promise<void> {
    const list = await this.client.decide({ op: 'conversion', opNo, method: 'GET', path: `/v1/credit-lines/${c.creditLineId}/statements`, token: c.token });
    const open = ((list.body as { items?: { id: string; status: string }[] } | undefined)?.items ?? []).find((s) => s.status === 'OPEN');
    const statementId = open?.id ?? 'no-such-statement';
    const rng = new Rng(this.opts.seed * 31 + opNo);
    await this.money(rng, c, opNo, 'conversion', `/v1/credit-lines/${c.creditLineId}/statements/${statementId}/installments`, { count: 3 });
  }

  private async money(rng: Rng, c: SimulatedCustomer, opNo: number, kind: MoneyKind, path: string, body: Record<string, unknown>): Promise<Answer | undefined> {
    const key = `${kind}-${this.opts.seed}-${opNo}`;
    const request: MoneyRequest = { kind, creditLineId: c.creditLineId, key, path, body, token: c.token, opNo };
    this.moneyRequests.set(`${c.creditLineId}|${key}`, request);
    const send = () => this.client.decide({ op: kind, opNo, method: 'POST', path, token: c.token, body, key }, 30_000);
    const retry = rng.weighted({ once: 75, concurrent: 12, again: 8, reused: 5 });
    let answers: Answer[];
    if (retry === 'concurrent') answers = await Promise.all(Array.from({ length: rng.int(2, 3) }, send));
    else answers = [await send()];
    if (retry === 'again') answers.push(await send());
    if (retry === 'reused' && isDecision(answers[0]!.status)) {
      const other = { ...body, amount: Number(body.amount ?? 0) + 1, ...(kind === 'conversion' ? { count: 6 } : {}) };
      // Under another key in the journal's index: this answer is about a request of its own.
      const reused = await this.client.decide({ op: `${kind}:reused-key`, opNo, method: 'POST', path, token: c.token, body: other, key }, 30_000);
      this.reusedKeys.push({ creditLineId: c.creditLineId, key, answer: reused });
    }
    return answers.find((a) => isDecision(a.status));
  }

  /** Requests that never got a decision (the client's patience ran out mid-fault): sent again, same key and body. */
  async resolveUndecided(log: (line: string) => void): Promise<number> {
    const undecided = [...this.moneyRequests.values()].filter((r) => !this.client.journal.answersFor(r.key).some((a) => a.op === r.kind && isDecision(a.status)));
    if (undecided.length > 0) log(`resending ${undecided.length} money requests that got no decision`);
    await pool(undecided, 8, async (r) => {
      await this.client.decide({ op: r.kind, opNo: r.opNo, method: 'POST', path: r.path, token: r.token, body: r.body, key: r.key }, 120_000);
    });
    return undecided.length;
  }

  // ── The platform: logins ──

  private login(c: SimulatedCustomer, success: boolean, elsewhere?: Rng) {
    return {
      customerId: c.customerId, success, occurredAt: new Date().toISOString(),
      deviceId: elsewhere ? `device-${elsewhere.hex(16)}` : c.device,
      ip: elsewhere ? `172.16.${elsewhere.int(0, 255)}.${elsewhere.int(1, 254)}` : c.ip,
      city: elsewhere ? `Somewhere ${elsewhere.hex(4)}` : c.city,
    };
  }

  private async loginEvent(rng: Rng, c: SimulatedCustomer, opNo: number): Promise<void> {
    const shape = rng.weighted({ usual: 88, newDeviceNewCity: 2, failed: 10 });
    const body = shape === 'newDeviceNewCity' ? this.login(c, true, rng) : this.login(c, shape === 'usual');
    await this.client.decide({ op: `login:${shape}`, opNo, method: 'POST', path: '/v1/risk/login-events', token: this.adminToken, body });
  }

  // ── The customer's own commands ──

  private async riskLift(c: SimulatedCustomer, opNo: number): Promise<void> {
    await this.read(c, opNo);
    if (!c.known.suspensionReasons.some((r) => r.startsWith('RISK_'))) return;
    const since = new Date();
    const asked = await this.client.decide({ op: 'risk-lift', opNo, method: 'POST', path: `/v1/credit-lines/${c.creditLineId}/verification`, token: c.token, body: {} });
    if (asked.status !== 202) return;
    const code = await this.gateway.waitForCode(c.creditLineId, since, 15_000).catch(() => undefined);
    if (!code) return;
    this.codesSeen.add(code);
    await this.client.decide({ op: 'risk-lift', opNo, method: 'POST', path: `/v1/credit-lines/${c.creditLineId}/verification/confirm`, token: c.token, body: { code } });
  }

  private async freeze(c: SimulatedCustomer, opNo: number): Promise<void> {
    const frozen = c.known.suspensionReasons.includes('CUSTOMER');
    await this.client.decide({ op: frozen ? 'unfreeze' : 'freeze', opNo, method: frozen ? 'DELETE' : 'POST', path: `/v1/credit-lines/${c.creditLineId}/freeze`, token: c.token });
    await this.read(c, opNo);
  }

  private async closure(rng: Rng, c: SimulatedCustomer, opNo: number): Promise<void> {
    // A line closes for good: only a few customers leave (at most a fifth of the lines, so a long run
    // or a soak keeps its load on open lines), and only after the run has warmed up.
    const closed = this.customers.filter((x) => x.known.status === 'CLOSED' || x.known.status === 'CLOSING').length;
    if (opNo < 100 || c.known.status === 'CLOSED' || closed >= this.customers.length / 5) return this.read(c, opNo);
    const since = new Date();
    const started = await this.client.decide({ op: 'closure', opNo, method: 'POST', path: `/v1/credit-lines/${c.creditLineId}/closure`, token: c.token, body: {} });
    if (started.status !== 202) return;
    const code = await this.gateway.waitForCode(c.creditLineId, since, 15_000).catch(() => undefined);
    if (!code) return;
    this.codesSeen.add(code);
    const verified = await this.client.decide({ op: 'closure', opNo, method: 'POST', path: `/v1/credit-lines/${c.creditLineId}/closure/verification`, token: c.token, body: { code } });
    const outcome = verified.body as { status?: string } | undefined;
    if (outcome?.status === 'CLOSING') {
      if (rng.chance(0.2)) {
        await this.client.decide({ op: 'closure:cancel', opNo, method: 'DELETE', path: `/v1/credit-lines/${c.creditLineId}/closure`, token: c.token });
      } else {
        await this.read(c, opNo);
        if (c.known.balance > 0) await this.money(rng, c, opNo, 'repayment', `/v1/credit-lines/${c.creditLineId}/repayments`, { amount: c.known.balance });
      }
    }
    await this.read(c, opNo);
  }

  // ── Support staff ──

  private async staffSuspension(c: SimulatedCustomer, opNo: number): Promise<void> {
    const held = c.known.suspensionReasons.includes('STAFF');
    await this.client.decide(held
      ? { op: 'staff:lift', opNo, method: 'DELETE', path: `/v1/support/credit-lines/${c.creditLineId}/suspension?reason=STAFF`, token: this.makerToken, body: { note: 'chaos: reviewed, lifted' } }
      : { op: 'staff:suspend', opNo, method: 'POST', path: `/v1/support/credit-lines/${c.creditLineId}/suspension`, token: this.makerToken, body: { reason: 'chaos: under review' } });
    await this.read(c, opNo);
  }

  /** A maker asks (a limit above the model's, or a fee waiver), a checker decides. */
  private async makerChecker(rng: Rng, c: SimulatedCustomer, opNo: number): Promise<void> {
    const request: Request = rng.chance(0.6)
      // A raise (above the model's limit: a checker decides) up to the product's maximum, else a cut.
      ? { op: 'maker:limit', opNo, method: 'PUT', path: `/v1/support/credit-lines/${c.creditLineId}/limit`, token: this.makerToken, body: { limit: c.known.limit < 5_000_000 ? Math.min(5_000_000, c.known.limit + rng.int(1, 20) * 10_000) : c.known.limit - rng.int(1, 20) * 10_000, reason: 'chaos: good customer' } }
      : { op: 'maker:fee-waiver', opNo, method: 'POST', path: `/v1/support/credit-lines/${c.creditLineId}/fee-waivers`, token: this.makerToken, body: { amount: rng.int(1, 5_000), reason: 'chaos: goodwill' } };
    const asked = await this.client.decide(request);
    const approvalId = (asked.body as { approvalId?: string } | undefined)?.approvalId;
    if (asked.status !== 202 || !approvalId) return;
    // Now and then the maker tries to approve their own request: refused.
    if (rng.chance(0.1)) await this.client.decide({ op: 'maker:self-approve', opNo, method: 'POST', path: `/v1/support/approvals/${approvalId}`, token: this.makerToken, body: { approve: true, note: 'chaos: my own' } });
    await this.client.decide({ op: 'checker', opNo, method: 'POST', path: `/v1/support/approvals/${approvalId}`, token: this.checkerToken, body: { approve: rng.chance(0.7), note: 'chaos: checked' } });
    await this.read(c, opNo);
  }

  // ── Reads ──

  async read(c: SimulatedCustomer, opNo: number): Promise<void> {
    const answer = await this.client.decide({ op: 'read', opNo, method: 'GET', path: `/v1/credit-lines/${c.creditLineId}`, token: c.token }, 20_000);
    if (answer.status !== 200) return;
    const line = answer.body as { status: string; suspensionReasons?: string[]; balance?: number; limit?: number } | undefined;
    if (line) c.known = { status: line.status, suspensionReasons: line.suspensionReasons ?? [], balance: line.balance ?? 0, limit: line.limit ?? 0 };
  }
}

/** Runs `fn` over `items` with at most `concurrency` at once. */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  }));
  return results;
}
