import { ConflictDialog } from '@/features/notes/components/conflict-dialog';
import { NoteFormDialog } from '@/features/notes/components/note-form-dialog';
import { ShortcutsDialog } from '@/features/notes/components/shortcuts-dialog';
import type { useNoteActions } from '@/features/notes/components/use-note-actions';
import { draftKey } from '@/features/notes/lib/draft-storage';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import { useSessionStore } from '@/stores/session-store';

interface NoteDialogsProps {
  actions: ReturnType<typeof useNoteActions>;
}

/** Whichever note dialog the store says is open (loaded on demand: the forms are heavy). */
export default function NoteDialogs({ actions }: NoteDialogsProps) {
  const dialog = useNotesStore((state) => state.dialog);
  const closeDialog = useNotesStore((state) => state.closeDialog);
  const userId = useSessionStore((state) => state.user?.id ?? '');

  if (dialog.kind === 'create' || dialog.kind === 'edit') {
    const note = dialog.kind === 'edit' ? dialog.note : undefined;
    return (
      <NoteFormDialog
        key={note ? `edit-${note._id}` : 'create'}
        note={note}
        draft={dialog.draft}
        serverError={dialog.serverError}
        draftKey={draftKey(userId, note?._id ?? null)}
        onCreate={actions.create}
        onUpdate={(target, patch, draft) => actions.update(target, patch, { draft })}
        onClose={closeDialog}
      />
    );
  }
  if (dialog.kind === 'conflict') {
    return (
      <ConflictDialog
        theirs={dialog.theirs}
        patch={dialog.patch}
        onClose={closeDialog}
        onReloadTheirs={() => {
          closeDialog();
          actions.reloadTheirs(dialog.theirs);
        }}
        onOverwrite={() => {
          closeDialog();
          actions.forceUpdate(dialog.theirs, dialog.patch, { forceVersion: dialog.theirs.version });
        }}
      />
    );
  }
  if (dialog.kind === 'shortcuts') return <ShortcutsDialog onClose={closeDialog} />;
  return null;
}
