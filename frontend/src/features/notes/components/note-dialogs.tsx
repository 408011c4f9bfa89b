import '@/features/notes/components/note-dialogs.css';
import { ConflictDialog } from '@/features/notes/components/conflict-dialog';
import { DeletedDialog } from '@/features/notes/components/deleted-dialog';
import { NoteFormDialog } from '@/features/notes/components/note-form-dialog';
import { ShortcutsDialog } from '@/features/notes/components/shortcuts-dialog';
import type { NoteActions } from '@/features/notes/components/use-note-actions';
import { mergeablePart } from '@/features/notes/lib/conflicts';
import { keptCopy } from '@/features/notes/lib/note-input';
import { draftKey } from '@/features/notes/lib/draft-storage';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import { useSessionStore } from '@/stores/session-store';
import { toast } from '@/stores/toast-store';

interface NoteDialogsProps {
  actions: NoteActions;
}

/** Whichever note dialog the store says is open (loaded on demand: the forms are heavy). */
export default function NoteDialogs({ actions }: NoteDialogsProps) {
  const dialog = useNotesStore((state) => state.dialog);
  const closeDialog = useNotesStore((state) => state.closeDialog);
  const openDialog = useNotesStore((state) => state.openDialog);
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
    const { theirs, patch, conflicts } = dialog;
    const copyKept = keptCopy(theirs, patch) !== null;
    return (
      <ConflictDialog
        theirs={theirs}
        patch={patch}
        conflicts={conflicts}
        copyKept={copyKept}
        onClose={closeDialog}
        onKeepTheirs={() => {
          closeDialog();
          // What nobody else touched is still saved; the clashing text stays in the draft.
          const part = mergeablePart(theirs, patch, conflicts);
          if (Object.keys(part).length > 0) actions.forceUpdate(theirs, part, { forceVersion: theirs.version });
          if (copyKept) {
            toast.info(`Kept their version of “${theirs.title}”. Your text is saved as a draft of it.`, {
              durationMs: 10_000,
              action: { label: 'Open my draft', onClick: () => openDialog({ kind: 'edit', note: theirs }) },
            });
          }
        }}
        onUseMine={() => {
          closeDialog();
          actions.overwrite(theirs, patch);
        }}
      />
    );
  }
  if (dialog.kind === 'deleted') {
    const { note, patch } = dialog;
    return (
      <DeletedDialog
        note={note}
        patch={patch}
        onClose={closeDialog}
        onRestore={() => {
          closeDialog();
          actions.restoreWith(note, patch);
        }}
        onSaveAsNew={() => {
          closeDialog();
          actions.saveAsNew(note, patch);
        }}
        onDiscard={() => {
          closeDialog();
          actions.forgetDraft(note._id);
        }}
      />
    );
  }
  if (dialog.kind === 'shortcuts') return <ShortcutsDialog onClose={closeDialog} />;
  return null;
}
