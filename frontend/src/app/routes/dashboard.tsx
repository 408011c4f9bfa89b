import { NotesPage } from '@/features/notes/components/notes-page';

export default function DashboardRoute() {
  return (
    <>
      <title>Your notes · NoteStack</title>
      <NotesPage />
    </>
  );
}
