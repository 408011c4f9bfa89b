import { NotesBoard } from '@/features/notes/components/notes-board';

export function DashboardRoute() {
  return (
    <>
      <title>Your notes · NoteStack</title>
      <NotesBoard />
    </>
  );
}
