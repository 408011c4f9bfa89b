import type { Note } from '@/features/notes/types';
import { apiRequest } from '@/lib/api-client';

export async function getNote(noteId: string): Promise<Note> {
  const response = await apiRequest<{ note: Note }>(`/note/${encodeURIComponent(noteId)}`);
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.note;
}
