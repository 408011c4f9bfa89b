/**
 * The notes shapes, derived from the generated API types (`@/types/api-schema`): nothing here
 * restates a field of the server's note. Only what the UI adds is written by hand.
 */
import {
  notePriorityValues,
  noteStatusValues,
  pathsApiV1NoteGetParametersQueryOrderValues,
  pathsApiV1NoteGetParametersQuerySortValues,
} from '@/types/api-schema';
import type { QueryParams, RequestBody, ResponseBody } from '@/types/api';

export type Note = ResponseBody<'/api/v1/note/{note_id}', 'get'>['note'];
export type NoteStatus = Note['status'];
export type NotePriority = Note['priority'];

export const NOTE_STATUSES = noteStatusValues;
export const NOTE_PRIORITIES = notePriorityValues;
export const NOTE_SORTS = pathsApiV1NoteGetParametersQuerySortValues;
export const SORT_ORDERS = pathsApiV1NoteGetParametersQueryOrderValues;

/** What the create form sends (every field, though the server has defaults for some). */
export type NoteInput = Required<RequestBody<'/api/v1/note/create', 'post'>>;
/** The fields an edit changes (never null: the client sends only what changed). */
export type NotePatch = Partial<NoteInput>;
export type NoteUpdateBody = RequestBody<'/api/v1/note/{note_id}/edit', 'patch'>;
/** An edit as the client makes it: the form's fields, and a board move's place in its column. */
export type NoteChange = NotePatch & Pick<NoteUpdateBody, 'position'>;
export type NotesQuery = QueryParams<'/api/v1/note', 'get'>;
export type NotesResponse = ResponseBody<'/api/v1/note', 'get'>;
export type NoteSort = NonNullable<NotesQuery['sort']>;
export type SortOrder = NonNullable<NotesQuery['order']>;
/** A note found by a search: where the words matched, as text segments. */
export type NoteHit = Extract<NotesResponse['notes'][number], { highlights: unknown }>;
export type Highlights = NoteHit['highlights'];
export type HighlightSegment = Highlights['title'][number];
export type NoteCounts = ResponseBody<'/api/v1/note/counts', 'get'>['counts'];
export type TrashResponse = ResponseBody<'/api/v1/note/trash', 'get'>;
export type TrashedNote = TrashResponse['notes'][number];
export type NoteHistory = ResponseBody<'/api/v1/note/{note_id}/history', 'get'>;
export type Revision = NoteHistory['revisions'][number];
/** The fields a 412 names as changed elsewhere to other values. */
export type ConflictBody = ResponseBody<'/api/v1/note/{note_id}/edit', 'patch', 412>;

/**
 * A note as shown: `pending` until the server has confirmed the last change to it, `queued`
 * while that change waits in the outbox for the network.
 */
export type DisplayNote = Note & { pending?: boolean; queued?: boolean; highlights?: Highlights };

export interface NoteFilters {
  q: string;
  status: NoteStatus | '';
  priority: NotePriority | '';
  /** '' is the server's default: newest first, or best match first for a search. */
  sort: NoteSort | '';
  order: SortOrder | '';
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

export function isNoteSort(value: string | null): value is NoteSort {
  return value !== null && (NOTE_SORTS as readonly string[]).includes(value);
}

export function isSortOrder(value: string | null): value is SortOrder {
  return value !== null && (SORT_ORDERS as readonly string[]).includes(value);
}
