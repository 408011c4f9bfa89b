import { useEffect, useId, useState, type RefObject } from 'react';
import { SEARCH_DEBOUNCE_MS } from '@/config/limits';
import { useNoteCounts } from '@/features/notes/api/get-note-counts';
import {
  isNoteSort,
  isSortOrder,
  NOTE_PRIORITIES,
  NOTE_STATUSES,
  STATUS_LABELS,
  type NoteFilters,
  type NoteSort,
  type SortOrder,
} from '@/features/notes/types';

interface NotesFiltersProps {
  filters: NoteFilters;
  onChange: (next: Partial<NoteFilters>, options?: { replace?: boolean }) => void;
  searchRef?: RefObject<HTMLInputElement | null>;
  /** The board has its own order (by hand): no sort control there. */
  sortable?: boolean;
}

/** The sorts offered, as `sort:order` ('' is the server's default). */
const SORTS: { sort: NoteSort; order: SortOrder; label: string }[] = [
  { sort: 'created', order: 'desc', label: 'Newest first' },
  { sort: 'created', order: 'asc', label: 'Oldest first' },
  { sort: 'updated', order: 'desc', label: 'Recently updated' },
  { sort: 'priority', order: 'desc', label: 'Priority, high first' },
  { sort: 'priority', order: 'asc', label: 'Priority, low first' },
  { sort: 'status', order: 'asc', label: 'Status, to do first' },
  { sort: 'title', order: 'asc', label: 'Title, A to Z' },
  { sort: 'title', order: 'desc', label: 'Title, Z to A' },
];

function sortValue({ sort, order }: Pick<NoteFilters, 'sort' | 'order'>): string {
  return sort ? `${sort}:${order || SORTS.find((option) => option.sort === sort)?.order || 'asc'}` : '';
}

/**
 * Search always in sight, the status filter as buttons that say how many notes each status
 * has (under the other filters); on a small screen priority and sort fold behind "Filters".
 */
export function NotesFilters({ filters, onChange, searchRef, sortable = true }: NotesFiltersProps) {
  const id = useId();
  const [text, setText] = useState(filters.q);
  const [lastQ, setLastQ] = useState(filters.q);
  const [open, setOpen] = useState(false);
  const counts = useNoteCounts(filters).data;
  const active = Number(Boolean(filters.priority)) + Number(Boolean(filters.sort));
  const searching = Boolean(filters.q.trim());

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

  const count = (n: number | undefined) => (n === undefined ? null : <span className="count">{n}</span>);

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
                {counts ? ` (${counts.priority[priority]})` : ''}
              </option>
            ))}
          </select>
        </div>
        {sortable ? (
          <div className="field">
            <label htmlFor={`${id}-sort`}>Sort</label>
            <select
              id={`${id}-sort`}
              value={sortValue(filters)}
              onChange={(event) => {
                const [sort = '', order = ''] = event.target.value.split(':');
                onChange({ sort: isNoteSort(sort) ? sort : '', order: isSortOrder(order) ? order : '' });
              }}
            >
              <option value="">{searching ? 'Best match' : 'Newest first'}</option>
              {SORTS.filter((option) => searching || sortValue(option) !== 'created:desc').map((option) => (
                <option key={sortValue(option)} value={sortValue(option)}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      <div className="segmented status-filter" role="group" aria-label="Status">
        <button
          type="button"
          className="segment"
          aria-pressed={!filters.status}
          onClick={() => onChange({ status: '' })}
        >
          All {count(counts && Object.values(counts.status).reduce((sum, n) => sum + n, 0))}
        </button>
        {NOTE_STATUSES.map((status) => (
          <button
            key={status}
            type="button"
            className="segment"
            data-value={status}
            aria-pressed={filters.status === status}
            onClick={() => onChange({ status: filters.status === status ? '' : status })}
          >
            {STATUS_LABELS[status]} {count(counts?.status[status])}
          </button>
        ))}
      </div>
    </form>
  );
}
