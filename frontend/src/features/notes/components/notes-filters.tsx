import { useEffect, useId, useState, type RefObject } from 'react';
import { SEARCH_DEBOUNCE_MS } from '@/config/limits';
import { NOTE_PRIORITIES, NOTE_STATUSES, STATUS_LABELS, type NoteFilters } from '@/features/notes/types';

interface NotesFiltersProps {
  filters: NoteFilters;
  onChange: (next: Partial<NoteFilters>, options?: { replace?: boolean }) => void;
  searchRef?: RefObject<HTMLInputElement | null>;
}

/** Search always in sight; on a small screen status and priority fold behind a "Filters" button. */
export function NotesFilters({ filters, onChange, searchRef }: NotesFiltersProps) {
  const id = useId();
  const [text, setText] = useState(filters.q);
  const [lastQ, setLastQ] = useState(filters.q);
  const [open, setOpen] = useState(false);
  const active = Number(Boolean(filters.status)) + Number(Boolean(filters.priority));

  // The URL changed from outside (back button, "Clear filters"): show what it says.
  if (filters.q !== lastQ) {
    setLastQ(filters.q);
    setText(filters.q);
  }

  useEffect(() => {
    if (text === filters.q) return;
    const timer = setTimeout(() => onChange({ q: text }, { replace: true }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, filters.q, onChange]);

  return (
    <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
      <div className="field field-grow">
        <label htmlFor={`${id}-q`}>Search notes</label>
        <input
          id={`${id}-q`}
          ref={searchRef}
          type="search"
          value={text}
          placeholder="Search titles and descriptions"
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      <button
        type="button"
        className="btn filters-toggle"
        aria-expanded={open}
        aria-controls={`${id}-more`}
        onClick={() => setOpen((value) => !value)}
      >
        Filters{active ? ` (${active})` : ''}
      </button>
      <div id={`${id}-more`} className="filters-more" data-open={open ? 'true' : 'false'}>
        <div className="field">
          <label htmlFor={`${id}-status`}>Status</label>
          <select
            id={`${id}-status`}
            value={filters.status}
            onChange={(event) => onChange({ status: event.target.value as NoteFilters['status'] })}
          >
            <option value="">Any status</option>
            {NOTE_STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority</label>
          <select
            id={`${id}-priority`}
            value={filters.priority}
            onChange={(event) => onChange({ priority: event.target.value as NoteFilters['priority'] })}
          >
            <option value="">Any priority</option>
            {NOTE_PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {priority}
              </option>
            ))}
          </select>
        </div>
      </div>
    </form>
  );
}
