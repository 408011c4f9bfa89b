/**
 * Which notes a list shows: the one place the client decides whether a note matches the
 * filters, by the server's rules. Search: every word of the query must begin a word of the
 * title or the description, in any order, ignoring case and accents (NFKD, marks removed).
 */
import {
  isNotePriority,
  isNoteSort,
  isNoteStatus,
  isSortOrder,
  type Note,
  type NoteFilters,
} from '@/features/notes/types';

export const NO_FILTERS: NoteFilters = { q: '', status: '', priority: '', sort: '', order: '' };

/** The server looks at no more than this many words of a query. */
const MAX_SEARCH_WORDS = 12;
/** A word: a run of letters and digits (the server's `[^\W_]+`). */
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Letters Unicode does not decompose, folded as the server folds them (`core/text.py`, after
 * PostgreSQL's unaccent), and ß as Python's casefold folds it.
 */
const UNDECOMPOSED: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  ð: 'd',
  ø: 'o',
  þ: 'th',
  đ: 'd',
  ħ: 'h',
  ı: 'i',
  ĸ: 'q',
  ł: 'l',
  ŋ: 'n',
  œ: 'oe',
  ŧ: 't',
};
const UNDECOMPOSED_LETTER = /[ßæðøþđħıĸłŋœŧ]/gu;

/**
 * Case- and accent-insensitive form of a text: "Résumé" and "RESUME" both become "resume",
 * "Øresund" becomes "oresund".
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(UNDECOMPOSED_LETTER, (letter) => UNDECOMPOSED[letter] ?? letter);
}

/** The words of a search query, folded; empty when there is nothing to search for. */
export function searchWords(q: string): string[] {
  return (foldForSearch(q).match(WORD) ?? []).slice(0, MAX_SEARCH_WORDS);
}

export function matchesSearch(note: Pick<Note, 'title' | 'description'>, q: string): boolean {
  if (!q.trim()) return true;
  const words = searchWords(q);
  if (words.length === 0) return false; // only punctuation: the server finds nothing either
  const noteWords = foldForSearch(`${note.title}\n${note.description}`).match(WORD) ?? [];
  return words.every((word) => noteWords.some((noteWord) => noteWord.startsWith(word)));
}

export function matchesFilters(note: Note, filters: NoteFilters): boolean {
  if (filters.status && note.status !== filters.status) return false;
  if (filters.priority && note.priority !== filters.priority) return false;
  return matchesSearch(note, filters.q);
}

export function hasFilters(filters: Pick<NoteFilters, 'q' | 'status' | 'priority'>): boolean {
  return Boolean(filters.q.trim() || filters.status || filters.priority);
}

/** The filters and sort a URL's query string asks for (unknown values are ignored). */
export function filtersFromSearchParams(params: URLSearchParams): NoteFilters {
  const status = params.get('status');
  const priority = params.get('priority');
  const sort = params.get('sort');
  const order = params.get('order');
  return {
    q: params.get('q') ?? '',
    status: isNoteStatus(status) ? status : '',
    priority: isNotePriority(priority) ? priority : '',
    sort: isNoteSort(sort) ? sort : '',
    order: isSortOrder(order) ? order : '',
  };
}
