import { TrashPage } from '@/features/notes/components/trash-page';

export default function TrashRoute() {
  return (
    <>
      <title>Trash · NoteStack</title>
      <TrashPage />
    </>
  );
}
