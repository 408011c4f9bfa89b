import { beforeEach, describe, expect, it } from 'vitest';
import {
  clearDraft,
  DRAFT_MAX_AGE_MS,
  draftKey,
  draftNoteIds,
  loadDraft,
  saveDraft,
} from '@/features/notes/lib/draft-storage';

const values = { title: 'Half-written', description: 'More to come', status: 'Pending', priority: 'High' } as const;

describe('draft storage', () => {
  beforeEach(() => localStorage.clear());

  it('keeps a draft per person and note until it is cleared', () => {
    const key = draftKey('u1', 'n1');
    expect(loadDraft(key)).toBeNull();
    saveDraft(key, values, 1000);
    expect(loadDraft(key, 2000)).toEqual({ values, savedAt: 1000 });
    expect(loadDraft(draftKey('u2', 'n1'), 2000)).toBeNull();
    saveDraft(draftKey('u1', null), values, 1000);
    expect(draftNoteIds('u1')).toEqual(new Set(['n1', 'new']));
    clearDraft(key);
    expect(loadDraft(key, 2000)).toBeNull();
  });

  it('drops drafts that are too old or damaged', () => {
    const key = draftKey('u1', 'n1');
    saveDraft(key, values, 0);
    expect(loadDraft(key, DRAFT_MAX_AGE_MS + 1)).toBeNull();
    expect(localStorage.getItem(key)).toBeNull();
    localStorage.setItem(key, '{not json');
    expect(loadDraft(key)).toBeNull();
    localStorage.setItem(key, JSON.stringify({ values: { title: 1 }, savedAt: 1 }));
    expect(loadDraft(key, 2)).toBeNull();
  });
});
