/**
 * The credit scorecard the activities score with: the committed model file, read once per process
 * and checked (domain/scoring/scorecard-schema.ts) before the first application is scored. A new card
 * (`npm run model:train` with a new version) becomes current by changing CURRENT_SCORECARD.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Scorecard } from '../domain/scoring/scorecard';
import { parseScorecard } from '../domain/scoring/scorecard-schema';

export const CURRENT_SCORECARD = 'scorecard-2026.11.1';

const loaded = new Map<string, Scorecard>();

/** The card in `model/<version>.json`, validated; a card that does not parse stops the worker at start-up. */
export function loadScorecard(version: string = CURRENT_SCORECARD): Scorecard {
  const cached = loaded.get(version);
  if (cached) return cached;
  const file = fileURLToPath(new URL(`../model/${version}.json`, import.meta.url));
  const card = parseScorecard(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (card.version !== version) throw new Error(`model/${version}.json holds ${card.version}`);
  loaded.set(version, card);
  return card;
}
