import type { NoteFilters } from '@/features/notes/types';

/** The notes' query keys: lists (by filters and sort), single notes, counts, the trash, histories. */
export const notesKeys = {
  all: ['notes'] as const,
  lists: () => [...notesKeys.all, 'list'] as const,
  list: (filters: NoteFilters) => [...notesKeys.lists(), filters] as const,
  details: () => [...notesKeys.all, 'detail'] as const,
  detail: (noteId: string) => [...notesKeys.details(), noteId] as const,
  counts: (filters: Pick<NoteFilters, 'q' | 'status' | 'priority'>) => [...notesKeys.all, 'counts', filters] as const,
  trash: () => [...notesKeys.all, 'trash'] as const,
  history: (noteId: string) => [...notesKeys.all, 'history', noteId] as const,
};
