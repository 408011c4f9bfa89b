import { describe, expect, it } from 'vitest';
import { descriptionHighlights, titleHighlights } from '@/features/notes/lib/highlight';
import type { DisplayNote } from '@/features/notes/types';
import { makeNote } from '@/testing/notes';

const hit: DisplayNote = {
  ...makeNote('a', { title: 'Call the plumber', description: 'The kitchen tap drips again, plumbing.' }),
  highlights: {
    title: [
      { text: 'Call the ', match: false },
      { text: 'plumb', match: true },
      { text: 'er', match: false },
    ],
    description: [
      { text: 'tap drips again, ', match: false },
      { text: 'plumb', match: true },
    ],
    descriptionStart: true,
    descriptionEnd: true,
  },
};

describe('search highlights', () => {
  it('uses the server segments while they fit the text shown', () => {
    expect(titleHighlights(hit)?.map((s) => s.match)).toEqual([false, true, false]);
    expect(descriptionHighlights(hit)).toMatchObject({ before: true, after: true });
  });

  it('falls back to plain text once the note changed here, or without a match', () => {
    expect(titleHighlights({ ...hit, title: 'Call the roofer', pending: true })).toBeNull();
    expect(titleHighlights({ ...hit, title: 'Renamed' })).toBeNull();
    expect(descriptionHighlights({ ...hit, description: 'Something else' })).toBeNull();
    expect(titleHighlights(makeNote('b'))).toBeNull();
  });
});
