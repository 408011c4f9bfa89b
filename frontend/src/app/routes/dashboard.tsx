import { NotesBoard } from '@/features/notes/components/notes-board';

export function DashboardRoute() {
  return <NotesBoard />;
}
