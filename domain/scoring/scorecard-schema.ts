/**
 * The shape of a scorecard file, checked before a card is used: a card that would score wrongly
 * (bins out of order, no open-ended last bin, a monotonic characteristic whose points do not move one
 * way, an unknown reason code) is refused with every problem named. The property tests and the
 * decline letters rely on what this checks.
 */
import { z } from 'zod';
import { SCORING_VARIABLES } from './features';
import { REASON_CODES, type ReasonCode } from './reason-codes';
import type { PointsTrend, Scorecard, ScorecardBin } from './scorecard';

const reasonCode = z.enum(REASON_CODES as [ReasonCode, ...ReasonCode[]]);

const scorecardSchema = z.object({
  format: z.literal('revolve-scorecard/1'),
  version: z.string().regex(/^scorecard-\d{4}\.\d{1,2}\.\d+$/),
  scaling: z.object({ basePoints: z.number(), baseOdds: z.number().positive(), pointsToDoubleOdds: z.number().positive() }),
  characteristics: z.array(z.object({
    variable: z.enum(SCORING_VARIABLES),
    reasonCode,
    pointsTrend: z.enum(['rising', 'falling', 'any']),
    coefficient: z.number(),
    bins: z.array(z.object({ upTo: z.number().nullable(), points: z.number().int(), woe: z.number(), reasonCode: reasonCode.optional() })).min(1),
  })).min(1),
  training: z.record(z.string(), z.unknown()),
}).superRefine((card, ctx) => {
  card.characteristics.forEach((c, i) => {
    const problem = binProblem(c.bins, c.pointsTrend);
    if (problem) ctx.addIssue({ code: 'custom', path: ['characteristics', i, 'bins'], message: `${c.variable}: ${problem}` });
  });
  const variables = card.characteristics.map((c) => c.variable);
  if (new Set(variables).size !== variables.length) ctx.addIssue({ code: 'custom', path: ['characteristics'], message: 'a variable appears twice' });
});

function binProblem(bins: ScorecardBin[], trend: PointsTrend): string | undefined {
  for (let i = 0; i < bins.length; i++) {
    const { upTo, points } = bins[i]!;
    if ((i === bins.length - 1) !== (upTo === null)) return 'only the last bin is open-ended';
    if (i === 0) continue;
    const previous = bins[i - 1]!;
    if (upTo !== null && upTo <= (previous.upTo ?? Infinity)) return 'bin bounds must rise';
    if (trend === 'rising' && points < previous.points) return 'points must not fall as the value rises';
    if (trend === 'falling' && points > previous.points) return 'points must not rise as the value rises';
  }
  return undefined;
}

/** Validates a scorecard (e.g. read from its JSON file); throws a ZodError naming every problem. */
export function parseScorecard(json: unknown): Scorecard {
  return scorecardSchema.parse(json);
}
