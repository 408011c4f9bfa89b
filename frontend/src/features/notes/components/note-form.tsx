import '@/features/notes/components/note-form.css';
import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { FormField } from '@/components/ui/form-field';
import { timeAgo } from '@/features/notes/lib/format';
import { clearDraft, loadDraft, saveDraft } from '@/features/notes/lib/draft-storage';
import { noteInputSchema } from '@/features/notes/lib/schemas';
import { changedFields, savedValues } from '@/features/notes/lib/note-input';
import { NOTE_PRIORITIES, NOTE_STATUSES, STATUS_LABELS, type Note, type NoteInput } from '@/features/notes/types';

function differs(a: NoteInput, b: NoteInput): boolean {
  return Object.keys(changedFields(a, b)).length > 0;
}

export interface NoteFormProps {
  note?: Note;
  /** Text to start from: the person's, after a save the server refused. */
  draft?: NoteInput;
  serverError?: string;
  /** Where the unsaved text is kept between visits (localStorage). */
  draftKey: string;
  submitLabel: string;
  onSubmit: (values: NoteInput) => void;
  onCancel: () => void;
  /** Told whenever the form starts or stops differing from the saved note. */
  onDirtyChange: (dirty: boolean) => void;
  /** Focus the title at once (a dialog does that itself, the page's editor asks for it). */
  focusTitle?: boolean;
}

/**
 * The note form, in the dialog and on the note's page. Whatever is typed is kept as a draft
 * in the browser until it is saved or discarded, and offered again when the form reopens.
 */
export function NoteForm({
  note,
  draft,
  serverError,
  draftKey,
  submitLabel,
  onSubmit,
  onCancel,
  onDirtyChange,
  focusTitle = false,
}: NoteFormProps) {
  const base = savedValues(note);
  const [restored] = useState(() => (draft ? null : loadDraft(draftKey)));
  const initial = draft ?? restored?.values ?? base;
  const {
    register,
    handleSubmit,
    subscribe,
    setFocus,
    formState: { errors },
  } = useForm<NoteInput>({
    resolver: zodResolver(noteInputSchema),
    defaultValues: initial,
    mode: 'onTouched',
  });

  // Every change is kept as a draft (or the draft dropped once the text is back to the saved note).
  useEffect(() => {
    onDirtyChange(differs(initial, base));
    return subscribe({
      formState: { values: true },
      callback: ({ values }) => {
        const current = { ...base, ...values };
        const dirty = differs(current, base);
        if (dirty) saveDraft(draftKey, current);
        else clearDraft(draftKey);
        onDirtyChange(dirty);
      },
    });
    // The form is keyed by note: `base` and `initial` are fixed for its lifetime.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [subscribe, draftKey, onDirtyChange]);

  useEffect(() => {
    if (focusTitle) setFocus('title');
  }, [focusTitle, setFocus]);

  const submit = handleSubmit((values) => {
    if (note && !differs(values, base)) clearDraft(draftKey);
    onSubmit(values);
  });

  return (
    <form className="form" onSubmit={submit} noValidate>
      {serverError ? (
        <p className="form-error" role="alert">
          Not saved: {serverError} Your text is still here; try again.
        </p>
      ) : null}
      {restored ? (
        <p className="form-notice" role="status">
          Restored your unsaved changes from {timeAgo(new Date(restored.savedAt).toISOString())}.
        </p>
      ) : null}
      <FormField label="Title" error={errors.title?.message}>
        {(field) => <input {...field} {...register('title')} type="text" autoComplete="off" data-autofocus />}
      </FormField>
      <FormField label="Description" error={errors.description?.message} hint="Optional. Markdown: **bold**, lists, - [ ] tasks, links.">
        {(field) => <textarea {...field} {...register('description')} rows={8} />}
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
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary">
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
