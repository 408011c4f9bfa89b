/**
 * The notes shapes, derived from the generated API types (`@/types/api-schema`): nothing here
 * restates a field of the server's note. Only what the UI adds is written by hand.
 */
import { notePriorityValues, noteStatusValues } from '@/types/api-schema';
import type { QueryParams, RequestBody, ResponseBody } from '@/types/api';

export type Note = ResponseBody<'/api/v1/note/{note_id}', 'get'>['note'];
export type NoteStatus = Note['status'];
export type NotePriority = Note['priority'];

export const NOTE_STATUSES = noteStatusValues;
export const NOTE_PRIORITIES = notePriorityValues;

/** What the create form sends (every field, though the server has defaults for some). */
export type NoteInput = Required<RequestBody<'/api/v1/note/create', 'post'>>;
/** The fields an edit changes (never null: the client sends only what changed). */
export type NotePatch = Partial<NoteInput>;
export type NoteUpdateBody = RequestBody<'/api/v1/note/{note_id}/edit', 'patch'>;
export type NotesQuery = QueryParams<'/api/v1/note', 'get'>;
export type NotesResponse = ResponseBody<'/api/v1/note', 'get'>;

/** A note as shown: `pending` until the server has confirmed the last change to it. */
export type DisplayNote = Note & { pending?: boolean };

export interface NoteFilters {
  q: string;
  status: NoteStatus | '';
  priority: NotePriority | '';
}

/** One page of a list as the cache keeps it, with the ETag that validates it. */
export interface NotesPage {
  notes: Note[];
  nextCursor: string | null;
  etag?: string;
}

export const STATUS_LABELS: Record<NoteStatus, string> = {
  Pending: 'Pending',
  InProgress: 'In progress',
  Done: 'Done',
};

export function isNoteStatus(value: string | null): value is NoteStatus {
  return value !== null && (NOTE_STATUSES as readonly string[]).includes(value);
}

export function isNotePriority(value: string | null): value is NotePriority {
  return value !== null && (NOTE_PRIORITIES as readonly string[]).includes(value);
}
