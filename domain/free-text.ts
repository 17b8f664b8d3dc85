/**
 * Free text a person typed (a purchase's description, a staff note, a reason): API.md allows at most
 * 500 characters of well-formed Unicode without control characters. Checked at the API and again in
 * the workflow's validator, because PostgreSQL refuses a NUL or a lone surrogate in text and jsonb,
 * and a write that can never succeed must never be decided.
 */
export const FREE_TEXT_MAX_CHARACTERS = 500;

/** A UTF-16 surrogate without its partner: not a character, and not storable as UTF-8. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** C0 controls, DEL and C1 controls (Unicode category Cc), tab and newline included. */
const CONTROL = /\p{Cc}/u;

/** Why `text` is not acceptable free text, or null when it is. Characters are counted as code points. */
export function freeTextProblem(text: string): string | null {
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (no lone surrogate)';
  if (CONTROL.test(text)) return 'must not contain control characters';
  let characters = 0;
  for (const _ of text) {
    characters += 1;
    if (characters > FREE_TEXT_MAX_CHARACTERS) return `must be at most ${FREE_TEXT_MAX_CHARACTERS} characters`;
  }
  return null;
}

/** Any string that goes to storage (ids, codes, keys): storable text, whatever its length. */
export function storableTextProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (no lone surrogate)';
  return null;
}

/**
 * The first value inside `value` (a JSON tree on its way to storage) that PostgreSQL would refuse,
 * as a path and a reason, or null: a string with a NUL or a lone surrogate, a number that is not finite.
 */
export function unstorableValue(value: unknown, path = '$'): string | null {
  if (typeof value === 'string') {
    const problem = storableTextProblem(value);
    return problem ? `${path} ${problem}` : null;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} must be a finite number`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = unstorableValue(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const found = storableTextProblem(key) ? `${path} has an unstorable key` : unstorableValue(v, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}
