import { z } from 'zod/mini';
import { LIMITS } from '@/config/limits';
import { NOTE_PRIORITIES, NOTE_STATUSES } from '@/features/notes/types';

/** The same limits the server enforces for a note (zod/mini keeps the bundle small). */
export const noteInputSchema = z.object({
  title: z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'Give the note a title.'),
      z.maxLength(LIMITS.titleMax, `The title can be at most ${LIMITS.titleMax} characters.`),
    ),
  description: z
    .string()
    .check(
      z.maxLength(
        LIMITS.descriptionMax,
        `The description can be at most ${LIMITS.descriptionMax.toLocaleString('en')} characters.`,
      ),
    ),
  status: z.enum(NOTE_STATUSES),
  priority: z.enum(NOTE_PRIORITIES),
});
