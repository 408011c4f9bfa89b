import { Dialog } from '@/components/ui/dialog';
import { DiscardDialog } from '@/features/notes/components/discard-dialog';
import { NoteForm } from '@/features/notes/components/note-form';
import { changedFields } from '@/features/notes/lib/note-input';
import { useGuardedClose } from '@/features/notes/components/use-guarded-close';
import type { Note, NoteInput, NotePatch } from '@/features/notes/types';

interface NoteFormDialogProps {
  note?: Note;
  draft?: NoteInput;
  serverError?: string;
  draftKey: string;
  onCreate: (input: NoteInput) => void;
  onUpdate: (note: Note, patch: NotePatch, draft: NoteInput) => void;
  onClose: () => void;
}

export function NoteFormDialog({ note, draft, serverError, draftKey, onCreate, onUpdate, onClose }: NoteFormDialogProps) {
  const guard = useGuardedClose(draftKey, onClose);
  return (
    <Dialog title={note ? 'Edit note' : 'New note'} onClose={guard.requestClose}>
      <NoteForm
        note={note}
        draft={draft}
        serverError={serverError}
        draftKey={draftKey}
        submitLabel={note ? 'Save changes' : 'Create note'}
        onCancel={guard.requestClose}
        onDirtyChange={guard.onDirtyChange}
        onSubmit={(values) => {
          onClose();
          if (!note) {
            onCreate(values);
            return;
          }
          const patch = changedFields(note, values);
          if (Object.keys(patch).length > 0) onUpdate(note, patch, values);
        }}
      />
      {guard.confirming ? <DiscardDialog onKeepEditing={guard.keepEditing} onDiscard={guard.discard} /> : null}
    </Dialog>
  );
}

export default NoteFormDialog;
