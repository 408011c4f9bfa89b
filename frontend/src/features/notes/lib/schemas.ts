import { z } from 'zod/mini';
import { NoteCreate } from '@/config/api-constraints';
import { NOTE_PRIORITIES, NOTE_STATUSES } from '@/features/notes/types';
import { stringChecks } from '@/lib/validation';

/** A note as the form validates it: the limits come from the API's schema. */
export const noteInputSchema = z.object({
  title: z.string().check(
    z.trim(),
    ...stringChecks(
      NoteCreate.title,
      {
        tooShort: () => 'Give the note a title.',
        tooLong: (max) => `The title can be at most ${max} characters.`,
        pattern: 'Give the note a title.',
      },
      1,
    ),
  ),
  description: z.string().check(
    ...stringChecks(NoteCreate.description, {
      tooShort: (min) => `The description needs at least ${min} characters.`,
      tooLong: (max) => `The description can be at most ${max.toLocaleString('en')} characters.`,
    }),
  ),
  status: z.enum(NOTE_STATUSES),
  priority: z.enum(NOTE_PRIORITIES),
});
