/**
 * The order of a list, the server's way (`notes/ordering.py`, `repository._sort_columns`), so
 * a note changed or added here lands where the server would put it: each sort's keys, then
 * the id, all in the sort's direction. A search without a sort is ranked by the server
 * (relevance): that order cannot be computed here.
 */
import { foldForSearch, searchWords } from '@/features/notes/lib/filters';
import type { Note, NoteFilters, NotePriority, NoteSort, NoteStatus, SortOrder } from '@/features/notes/types';

export interface Ordering {
  sort: NoteSort;
  order: SortOrder;
}

/** Without `order`, each sort starts where people expect: newest, most urgent, A to Z, board order. */
export const DEFAULT_ORDER: Record<NoteSort, SortOrder> = {
  created: 'desc',
  updated: 'desc',
  priority: 'desc',
  status: 'asc',
  title: 'asc',
  position: 'asc',
};

const STATUS_RANK: Record<NoteStatus, number> = { Pending: 0, InProgress: 1, Done: 2 };
const PRIORITY_RANK: Record<NotePriority, number> = { Low: 0, Medium: 1, High: 2 };

/** The list's ordering, or null when the server ranks it (a search without a sort). */
export function listOrdering(filters: Pick<NoteFilters, 'q' | 'sort' | 'order'>): Ordering | null {
  if (!filters.sort && searchWords(filters.q).length > 0) return null;
  const sort = filters.sort || 'created';
  return { sort, order: filters.order || DEFAULT_ORDER[sort] };
}

/** A title as the server sorts it: no case, no accents, spaces collapsed. */
export function titleKey(title: string): string {
  return foldForSearch(title).normalize('NFC').replace(/\s+/gu, ' ').trim();
}

const time = (iso: string) => Date.parse(iso) || 0;

function sortKeys(note: Note, sort: NoteSort): (number | string)[] {
  switch (sort) {
    case 'created':
      return [time(note.createdAt)];
    case 'updated':
      return [time(note.updatedAt)];
    case 'priority':
      return [PRIORITY_RANK[note.priority], time(note.createdAt)];
    case 'status':
      return [STATUS_RANK[note.status], time(note.createdAt)];
    case 'title':
      return [titleKey(note.title)];
    case 'position':
      return [STATUS_RANK[note.status], note.position];
  }
}

function compareKeys(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  for (let index = 0; index < a.length; index += 1) {
    const x = a[index] as number | string;
    const y = b[index] as number | string;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** Negative when `a` comes first in a list of this ordering. */
export function compareNotes(a: Note, b: Note, { sort, order }: Ordering): number {
  const result = compareKeys([...sortKeys(a, sort), a._id], [...sortKeys(b, sort), b._id]);
  return order === 'asc' ? result : -result;
}

/** Whether a change moves the note in a list of this ordering. */
export function sortKeysDiffer(a: Note, b: Note, { sort }: Ordering): boolean {
  return compareKeys(sortKeys(a, sort), sortKeys(b, sort)) !== 0;
}

/** The index at which `note` belongs among `notes` (already in this order). */
export function sortedIndex<T extends Note>(notes: readonly T[], note: Note, ordering: Ordering): number {
  const index = notes.findIndex((other) => compareNotes(note, other, ordering) < 0);
  return index < 0 ? notes.length : index;
}
