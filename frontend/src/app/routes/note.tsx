import { useParams } from 'react-router';
import { NoteView } from '@/features/notes/components/note-view';

export default function NoteRoute() {
  const { noteId = '' } = useParams();
  return (
    <>
      <title>Note · NoteStack</title>
      <NoteView key={noteId} noteId={noteId} />
    </>
  );
}
