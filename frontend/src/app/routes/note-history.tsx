import { useParams } from 'react-router';
import { HistoryView } from '@/features/notes/components/history-view';

export default function NoteHistoryRoute() {
  const { noteId = '' } = useParams();
  return <HistoryView key={noteId} noteId={noteId} />;
}
