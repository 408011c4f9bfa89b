import { describe, expect, it } from 'vitest';
import {
  filtersFromSearchParams,
  foldForSearch,
  matchesFilters,
  matchesSearch,
  NO_FILTERS,
  searchWords,
} from '@/features/notes/lib/filters';
import type { Note } from '@/features/notes/types';
import { makeNote } from '@/testing/notes';

function note(title: string, description = '', extra: Partial<Note> = {}): Note {
  return makeNote('a', { title, description, ...extra });
}

describe('search matching (the server rule: all words, any order, any field, no case or accents)', () => {
  it('folds case and accents', () => {
    expect(foldForSearch('Résumé ÇA Ñandú')).toBe('resume ca nandu');
    expect(foldForSearch('ﬁle')).toBe('file'); // compatibility decomposition
    expect(foldForSearch('Øresund Łódź Straße Æro')).toBe('oresund lodz strasse aero');
    expect(searchWords('  Kitchen   PLUMBER ')).toEqual(['kitchen', 'plumber']);
  });

  it.each([
    ['kitchen plumber', 'Call the plumber', 'The kitchen tap drips', true],
    ['plumber kitchen', 'Kitchen plumber', '', true],
    ['resume', 'My résumé', '', true],
    ['RÉSUMÉ', 'my resume', '', true],
    ['kitchen plumber', 'Call the plumber', '', false],
    ['milk', 'Buy MILK', '', true],
    ['plum', 'Call the plumber', '', true], // a word's beginning is enough
    ['umber', 'Call the plumber', '', false], // but not its middle (the server's rule)
    ['e-mail', 'Email the bank', 'an e mail', true], // punctuation splits words
    ['!!', 'anything', '', false],
    ['', 'anything', '', true],
    ['   ', 'anything', '', true],
  ])('%j in (%j, %j) → %s', (q, title, description, expected) => {
    expect(matchesSearch({ title, description }, q)).toBe(expected);
  });

  it('checks status and priority beside the search', () => {
    const n = note('Buy milk', 'Semi-skimmed', { priority: 'High' });
    expect(matchesFilters(n, NO_FILTERS)).toBe(true);
    expect(matchesFilters(n, { ...NO_FILTERS, q: 'skimmed buy' })).toBe(true);
    expect(matchesFilters(n, { ...NO_FILTERS, q: 'bread' })).toBe(false);
    expect(matchesFilters(n, { ...NO_FILTERS, priority: 'Low' })).toBe(false);
    expect(matchesFilters(n, { ...NO_FILTERS, status: 'Done' })).toBe(false);
  });

  it('reads filters from a query string, ignoring unknown values', () => {
    expect(filtersFromSearchParams(new URLSearchParams('q=x&status=Done&priority=Urgent&sort=size'))).toEqual({
      q: 'x',
      status: 'Done',
      priority: '',
      sort: '',
      order: '',
    });
    expect(filtersFromSearchParams(new URLSearchParams('sort=title&order=desc'))).toMatchObject({
      sort: 'title',
      order: 'desc',
    });
  });
});
