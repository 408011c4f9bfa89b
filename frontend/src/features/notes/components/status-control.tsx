import { NOTE_STATUSES, STATUS_LABELS, type NoteStatus } from '@/features/notes/types';

interface StatusControlProps {
  title: string;
  status: NoteStatus;
  disabled?: boolean;
  onChange: (status: NoteStatus) => void;
}

/** Any status in one click, forwards or back: a segmented control of toggle buttons. */
export function StatusControl({ title, status, disabled, onChange }: StatusControlProps) {
  return (
    <div className="segmented status-control" role="group" aria-label={`Status of “${title}”`}>
      {NOTE_STATUSES.map((option) => (
        <button
          key={option}
          type="button"
          className="segment"
          data-value={option}
          aria-pressed={option === status}
          disabled={disabled}
          onClick={() => onChange(option)}
        >
          {STATUS_LABELS[option]}
        </button>
      ))}
    </div>
  );
}
