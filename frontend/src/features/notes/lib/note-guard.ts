/**
 * Checks of what the client reads from outside its own memory (the event stream, IndexedDB
 * written by another tab or an earlier build): a value is used as a note only when it has
 * every field a note has, with values a note can hold.
 */
import { NOTE_PRIORITIES, NOTE_STATUSES, type Note } from '@/features/notes/types';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isNote(value: unknown): value is Note {
  return (
    isRecord(value) &&
    typeof value._id === 'string' &&
    typeof value.title === 'string' &&
    typeof value.description === 'string' &&
    typeof value.version === 'number' &&
    typeof value.position === 'string' &&
    typeof value.createdAt === 'string' &&
    typeof value.updatedAt === 'string' &&
    (NOTE_STATUSES as readonly unknown[]).includes(value.status) &&
    (NOTE_PRIORITIES as readonly unknown[]).includes(value.priority)
  );
}
