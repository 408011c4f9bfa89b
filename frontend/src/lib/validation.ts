import { z } from 'zod/mini';
import type { FieldConstraints } from '@/config/api-constraints';

interface Messages {
  tooShort: (min: number) => string;
  tooLong: (max: number) => string;
  pattern?: string;
}

/**
 * The zod checks for a string field, built from the constraints the OpenAPI document states
 * for it (generated into `api-constraints.ts`): the client refuses exactly what the server would.
 * `minLength` stands in where the schema states none but the server has a rule (a trimmed title).
 */
export function stringChecks(constraints: FieldConstraints, messages: Messages, minLength?: number) {
  const checks: z.core.$ZodCheck<string>[] = [];
  const min = constraints.minLength ?? minLength;
  if (min !== undefined) checks.push(z.minLength(min, messages.tooShort(min)));
  if (constraints.maxLength !== undefined) {
    checks.push(z.maxLength(constraints.maxLength, messages.tooLong(constraints.maxLength)));
  }
  if (constraints.pattern !== undefined) {
    checks.push(z.regex(new RegExp(constraints.pattern), messages.pattern ?? 'This contains a character that is not allowed.'));
  }
  return checks;
}

/** "3 to 30 characters", "at most 200 characters", or "" when the schema states no length. */
export function lengthHint({ minLength, maxLength }: FieldConstraints): string {
  const n = (value: number) => value.toLocaleString('en');
  if (minLength !== undefined && maxLength !== undefined) return `${n(minLength)} to ${n(maxLength)} characters`;
  if (maxLength !== undefined) return `at most ${n(maxLength)} characters`;
  if (minLength !== undefined) return `at least ${n(minLength)} characters`;
  return '';
}
