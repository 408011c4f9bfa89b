import type { Note } from '@/features/notes/types';

/** A server note for tests: id `id`, version 1, Pending and Medium unless said otherwise. */
export function makeNote(id: string, extra: Partial<Note> = {}): Note {
  return {
    _id: id,
    userId: 'u1',
    title: `Note ${id}`,
    description: '',
    status: 'Pending',
    priority: 'Medium',
    version: 1,
    position: 'a0',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...extra,
  };
}
