import { useEffect } from 'react';
import { useNoteActions, type NoteActions } from '@/features/notes/components/use-note-actions';
import type { NoteFilters } from '@/features/notes/types';

interface NoteActionsHostProps {
  filters?: NoteFilters;
  onReady: (actions: NoteActions) => void;
}

/** Renders nothing: holds the write path's hooks (loaded just after the first paint). */
export default function NoteActionsHost({ filters, onReady }: NoteActionsHostProps) {
  const actions = useNoteActions({ filters });
  useEffect(() => onReady(actions), [actions, onReady]);
  return null;
}
