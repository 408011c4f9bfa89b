/**
 * Which notes a list shows: the one place the client decides whether a note matches the
 * filters, by the server's rules. Search: every word of the query must appear in the title or
 * the description, in any order, ignoring case and accents (NFKD, combining marks removed).
 */
import {
  isNotePriority,
  isNoteStatus,
  type Note,
  type NoteFilters,
} from '@/features/notes/types';

export const NO_FILTERS: NoteFilters = { q: '', status: '', priority: '' };

/** Case- and accent-insensitive form of a text: "Résumé" and "RESUME" both become "resume". */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The words of a search query, folded; empty when there is nothing to search for. */
export function searchWords(q: string): string[] {
  return foldForSearch(q).split(/\s+/u).filter(Boolean);
}

export function matchesSearch(note: Pick<Note, 'title' | 'description'>, q: string): boolean {
  const words = searchWords(q);
  if (words.length === 0) return true;
  const text = foldForSearch(`${note.title}\n${note.description}`);
  return words.every((word) => text.includes(word));
}

export function matchesFilters(note: Note, filters: NoteFilters): boolean {
  if (filters.status && note.status !== filters.status) return false;
  if (filters.priority && note.priority !== filters.priority) return false;
  return matchesSearch(note, filters.q);
}

export function hasFilters(filters: NoteFilters): boolean {
  return Boolean(filters.q.trim() || filters.status || filters.priority);
}

/** The filters a URL's query string asks for (unknown values are ignored). */
export function filtersFromSearchParams(params: URLSearchParams): NoteFilters {
  const status = params.get('status');
  const priority = params.get('priority');
  return {
    q: params.get('q') ?? '',
    status: isNoteStatus(status) ? status : '',
    priority: isNotePriority(priority) ? priority : '',
  };
}
