/**
 * Decides a command: the remembered answer for a key already answered, else the command's decider
 * (validation, then decision), and the answer remembered. Synchronous: the credit a purchase takes
 * is taken here, before anything is awaited, so concurrent purchases cannot spend the same credit.
 */
import { localDay, type Instant } from '../calendar';
import type { Product } from '../product';
import { REMEMBERED_COMMANDS, type Command, type CommandResult, type CreditLineState, type LineFeature, type RejectionCode } from './commands';
import { conversion } from './conversion';
import { CURRENT_RULES, refusal, type Decider, type Decision, type DecisionRules, type Feature } from './decider';
import { eventFor, type LineEvent } from './events';
import { purchase } from './purchase';
import { refund } from './refund';
import { repayment } from './repayment';

/** The dispatcher: each command type's decider. A new feature adds its line here (and in `LineFeature`). */
const DECIDERS: { [T in Command['type']]: Decider<Extract<LineFeature, { command: { type: T } }>> } = {
  purchase,
  refund,
  repayment,
  conversion,
};

/**
 * The decider of a command. Its answers are `CommandResult`s: the table above gives each command type
 * the decider of that type, which answers with that type's body and codes.
 */
function deciderOf(command: Command): Decider<Feature> {
  return DECIDERS[command.type];
}

/** What the validator refuses before anything enters history: requests wrong in themselves. */
export function validateCommand(command: Command, product: Product, rules: DecisionRules = CURRENT_RULES): { code: RejectionCode; message: string } | null {
  return deciderOf(command).validate(command, product, rules) as { code: RejectionCode; message: string } | null;
}

/** The answer already given to this key, or a refusal when the key comes back with another request. */
export function rememberedAnswer(state: CreditLineState, command: Pick<Command, 'key' | 'requestHash' | 'type'>): CommandResult | null {
  const found = state.remembered.find((r) => r.key === command.key);
  if (!found) return null;
  if (found.requestHash !== command.requestHash) {
    return { ok: false, type: command.type, code: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used for a different request' };
  }
  return found.result;
}

function remember(state: CreditLineState, command: Command, result: CommandResult): CreditLineState {
  const remembered = [...state.remembered, { key: command.key, requestHash: command.requestHash, result }];
  return { ...state, remembered: remembered.slice(-REMEMBERED_COMMANDS) };
}

/**
 * Decides a command at `now` (the line already advanced to `now`). Every answer, refusals included,
 * is an event so its key is answered the same way forever.
 */
export function decide(
  state: CreditLineState, command: Command, now: Instant, product: Product, rules: DecisionRules = CURRENT_RULES,
): { state: CreditLineState; result: CommandResult; event: LineEvent } {
  const decider = deciderOf(command);
  const invalid = decider.validate(command, product, rules);
  const decision: Decision<Feature> = invalid
    ? refusal(state.balances, command.type, invalid.code, invalid.message)
    : decider.decide(state, command, localDay(now), product, rules);
  const result = decision.result as CommandResult;
  const next = remember({
    ...state,
    balances: decision.balances,
    purchases: decision.purchases ?? state.purchases,
    version: state.version + 1,
  }, command, result);
  const event = eventFor(state, next, now, decider.kind, `${command.type}:${command.key}`, {
    command: { key: command.key, requestHash: command.requestHash, result },
    ...(decision.transaction ? { transaction: decision.transaction } : {}),
  });
  return { state: next, result, event };
}
