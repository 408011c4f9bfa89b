import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { Dialog } from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { noteInputSchema } from '@/features/notes/lib/schemas';
import {
  NOTE_PRIORITIES,
  NOTE_STATUSES,
  STATUS_LABELS,
  type Note,
  type NoteInput,
  type NotePatch,
} from '@/features/notes/types';

interface NoteFormDialogProps {
  note?: Note;
  draft?: NoteInput;
  serverError?: string;
  onCreate: (input: NoteInput) => void;
  onUpdate: (note: Note, patch: NotePatch, draft: NoteInput) => void;
  onClose: () => void;
}

const EMPTY: NoteInput = { title: '', description: '', status: 'Pending', priority: 'Medium' };

function changedFields(note: Note, values: NoteInput): NotePatch {
  const patch: NotePatch = {};
  if (values.title !== note.title) patch.title = values.title;
  if (values.description !== note.description) patch.description = values.description;
  if (values.status !== note.status) patch.status = values.status;
  if (values.priority !== note.priority) patch.priority = values.priority;
  return patch;
}

export function NoteFormDialog({ note, draft, serverError, onCreate, onUpdate, onClose }: NoteFormDialogProps) {
  const initial: NoteInput = draft ??
    (note
      ? { title: note.title, description: note.description, status: note.status, priority: note.priority }
      : EMPTY);
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm<NoteInput>({
    resolver: zodResolver(noteInputSchema),
    defaultValues: initial,
    mode: 'onTouched',
  });

  const onSubmit = handleSubmit((values) => {
    onClose();
    if (!note) {
      onCreate(values);
      return;
    }
    const patch = changedFields(note, values);
    if (Object.keys(patch).length > 0) onUpdate(note, patch, values);
  });

  return (
    <Dialog title={note ? 'Edit note' : 'New note'} onClose={onClose}>
      <form className="form" onSubmit={onSubmit} noValidate>
        {serverError ? (
          <p className="form-error" role="alert">
            Not saved: {serverError} Your text is still here; try again.
          </p>
        ) : null}
        <FormField label="Title" error={errors.title?.message}>
          {(field) => (
            <input {...field} {...register('title')} type="text" autoComplete="off" data-autofocus />
          )}
        </FormField>
        <FormField label="Description" error={errors.description?.message} hint="Optional.">
          {(field) => <textarea {...field} {...register('description')} rows={6} />}
        </FormField>
        <div className="form-row">
          <FormField label="Status" error={errors.status?.message}>
            {(field) => (
              <select {...field} {...register('status')}>
                {NOTE_STATUSES.map((status) => (
                  <option key={status} value={status}>
                    {STATUS_LABELS[status]}
                  </option>
                ))}
              </select>
            )}
          </FormField>
          <FormField label="Priority" error={errors.priority?.message}>
            {(field) => (
              <select {...field} {...register('priority')}>
                {NOTE_PRIORITIES.map((priority) => (
                  <option key={priority} value={priority}>
                    {priority}
                  </option>
                ))}
              </select>
            )}
          </FormField>
        </div>
        <div className="form-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary">
            {note ? 'Save changes' : 'Create note'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
