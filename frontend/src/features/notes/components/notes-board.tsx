/**
 * The board: a column per status, cards in the order people put them (`position`), moved by
 * drag and drop with the mouse, touch or keyboard (dnd-kit: its keyboard sensor, and
 * announcements for screen readers). A move is one edit of one note (its status and/or its
 * position), shown at once and rolled back if the server refuses it, like every other write.
 * Loaded on demand: dnd-kit is not part of the first page.
 */
import '@/features/notes/components/notes-board.css';
import {
  closestCorners,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type DragOverEvent,
  type UniqueIdentifier,
} from '@dnd-kit/core';
import {
  arrayMove,
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { memo, useEffect, useMemo, useRef, useState, type KeyboardEventHandler, type PointerEventHandler } from 'react';
import { LoadFailed } from '@/components/ui/load-failed';
import { useNotes } from '@/features/notes/api/get-notes';
import { NoteCard } from '@/features/notes/components/note-card';
import { applyPendingOps, canActOn } from '@/features/notes/lib/pending-ops';
import { flattenPages } from '@/features/notes/lib/versions';
import { positionAt } from '@/features/notes/lib/positions';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import {
  NOTE_STATUSES,
  STATUS_LABELS,
  type DisplayNote,
  type Note,
  type NoteChange,
  type NoteFilters,
  type NoteStatus,
} from '@/features/notes/types';

/** Notes a page of a column (the most the API gives): a move is placed among loaded cards. */
const COLUMN_PAGE = 100;
const COLUMN_PREFIX = 'column:';

type Columns = Record<NoteStatus, string[]>;

interface NotesBoardProps {
  filters: NoteFilters;
  listUrl: string;
  onOpen: (note: Note) => void;
  onEdit: (note: Note) => void;
  onStatus: (note: Note, status: NoteStatus) => void;
  onDelete: (note: Note, viaKeyboard: boolean) => void;
  onMove: (note: Note, change: NoteChange) => void;
}

function columnFilters(filters: NoteFilters, status: NoteStatus): NoteFilters {
  return { ...filters, status, sort: 'position', order: 'asc' };
}

function useColumn(filters: NoteFilters, status: NoteStatus) {
  const own = useMemo(() => columnFilters(filters, status), [filters, status]);
  const shown = !filters.status || filters.status === status;
  const query = useNotes(own, COLUMN_PAGE, shown);
  const ops = useNotesStore((state) => state.ops);
  const notes = useMemo(() => applyPendingOps(flattenPages(query.data), ops, own), [query.data, ops, own]);
  return { status, shown, query, notes };
}

const columnId = (status: NoteStatus) => `${COLUMN_PREFIX}${status}`;

export default function NotesBoard({ filters, listUrl, onOpen, onEdit, onStatus, onDelete, onMove }: NotesBoardProps) {
  const columns = [useColumn(filters, 'Pending'), useColumn(filters, 'InProgress'), useColumn(filters, 'Done')];
  const byId = new Map<string, DisplayNote>();
  for (const column of columns) for (const note of column.notes) byId.set(note._id, note);
  const shownIds = {} as Columns;
  for (const column of columns) shownIds[column.status] = column.notes.map((note) => note._id);

  // While a card is dragged, the columns as the drag has rearranged them so far.
  const [dragged, setDragged] = useState<Columns | null>(null);
  const ids = dragged ?? shownIds;
  // Read by dnd-kit's callbacks and announcements, which run after the render that set them.
  const latest = useRef({ ids, byId });
  useEffect(() => {
    latest.current = { ids, byId };
  });

  const sensors = useSensors(
    // A press that moves less than 6 px is a click (on the title, a button): no drag.
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  const columnOf = (id: UniqueIdentifier, from: Columns = latest.current.ids): NoteStatus | null => {
    const key = String(id);
    if (key.startsWith(COLUMN_PREFIX)) return key.slice(COLUMN_PREFIX.length) as NoteStatus;
    return NOTE_STATUSES.find((status) => from[status].includes(key)) ?? null;
  };
  const titleOf = (id: UniqueIdentifier) => `“${latest.current.byId.get(String(id))?.title ?? 'the card'}”`;
  const placeOf = (id: UniqueIdentifier) => {
    const status = columnOf(id);
    if (!status) return 'outside the columns';
    const list = latest.current.ids[status];
    const index = list.indexOf(String(id));
    return `${STATUS_LABELS[status]}, position ${index + 1} of ${list.length}`;
  };

  /** Where a drop over this card (or column) would put the dragged card. */
  const placeOver = (id: UniqueIdentifier) => {
    const status = columnOf(id);
    if (!status) return 'outside the columns';
    const list = latest.current.ids[status];
    const index = list.indexOf(String(id));
    return `${STATUS_LABELS[status]}, position ${(index < 0 ? list.length : index) + 1} of ${list.length}`;
  };

  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${titleOf(active.id)}: ${placeOf(active.id)}.`,
    onDragOver: ({ active, over }) => {
      if (!over) return `${titleOf(active.id)} is no longer over a column.`;
      if (over.id === active.id) return undefined; // still where it was picked up
      return `${titleOf(active.id)} is over ${placeOver(over.id)}.`;
    },
    onDragEnd: ({ active, over }) =>
      over ? `Dropped ${titleOf(active.id)} in ${placeOf(active.id)}.` : `${titleOf(active.id)} is back where it was.`,
    onDragCancel: ({ active }) => `Moving ${titleOf(active.id)} was cancelled: it is back where it was.`,
  };

  const onDragStart = () => setDragged(shownIds);

  const onDragOver = ({ active, over }: DragOverEvent) => {
    if (!over) return;
    const from = columnOf(active.id);
    const to = columnOf(over.id);
    if (!from || !to || from === to) return;
    setDragged((current) => {
      const now = current ?? shownIds;
      const target = now[to].slice();
      const overIndex = target.indexOf(String(over.id));
      const translated = active.rect.current.translated;
      const below = translated !== null && translated.top > over.rect.top + over.rect.height / 2;
      const at = overIndex >= 0 ? overIndex + (below ? 1 : 0) : target.length;
      target.splice(at, 0, String(active.id));
      return { ...now, [from]: now[from].filter((id) => id !== String(active.id)), [to]: target };
    });
  };

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    const id = String(active.id);
    const now = latest.current.ids;
    const note = byId.get(id);
    const column = columnOf(id, now);
    setDragged(null);
    if (!over || !note || !column) return;
    let order = now[column];
    if (columnOf(over.id, now) === column) {
      const to = order.indexOf(String(over.id));
      if (to >= 0) order = arrayMove(order, order.indexOf(id), to);
    }
    const index = order.indexOf(id);
    const others = order.filter((other) => other !== id).flatMap((other) => byId.get(other) ?? []);
    if (column === note.status && shownIds[column].indexOf(id) === index) return; // not moved
    const position = positionAt(others, index);
    onMove(note, column === note.status ? { position } : { status: column, position });
  };

  const visible = columns.filter((column) => column.shown);
  const failed = visible.find((column) => column.query.isError && column.notes.length === 0);
  if (failed) {
    return (
      <LoadFailed
        title="The board could not be loaded"
        error={failed.query.error}
        onRetry={() => void failed.query.refetch()}
      />
    );
  }

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCorners}
      onDragStart={onDragStart}
      onDragOver={onDragOver}
      onDragEnd={onDragEnd}
      onDragCancel={() => setDragged(null)}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable:
            'To move a card, press space or enter on its move handle. The up and down arrow keys move it within its ' +
            'column, left and right to the next column. Press space or enter again to drop it, or escape to cancel.',
        },
      }}
    >
      <div className="board" data-columns={visible.length}>
        {visible.map((column) => (
          <BoardColumn
            key={column.status}
            status={column.status}
            ids={ids[column.status]}
            byId={byId}
            loading={column.query.isPending}
            hasMore={Boolean(column.query.hasNextPage)}
            loadingMore={column.query.isFetchingNextPage}
            onLoadMore={() => void column.query.fetchNextPage()}
            listUrl={listUrl}
            onOpen={onOpen}
            onEdit={onEdit}
            onStatus={onStatus}
            onDelete={onDelete}
          />
        ))}
      </div>
    </DndContext>
  );
}

interface BoardColumnProps extends Pick<NotesBoardProps, 'listUrl' | 'onOpen' | 'onEdit' | 'onStatus' | 'onDelete'> {
  status: NoteStatus;
  ids: string[];
  byId: Map<string, DisplayNote>;
  loading: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}

function BoardColumn({ status, ids, byId, loading, hasMore, loadingMore, onLoadMore, ...card }: BoardColumnProps) {
  const { setNodeRef, isOver } = useDroppable({ id: columnId(status) });
  const headingId = `board-column-${status}`;
  return (
    <section className="board-column" aria-labelledby={headingId} data-status={status} data-over={isOver ? 'true' : 'false'}>
      <h2 id={headingId} className="board-column-title">
        {STATUS_LABELS[status]} <span className="count">{loading ? '…' : ids.length}</span>
      </h2>
      <SortableContext id={columnId(status)} items={ids} strategy={verticalListSortingStrategy}>
        <ul ref={setNodeRef} className="board-cards" aria-label={`${STATUS_LABELS[status]} notes`} aria-busy={loading}>
          {ids.map((id) => {
            const note = byId.get(id);
            return note ? <BoardCard key={id} note={note} {...card} /> : null;
          })}
        </ul>
      </SortableContext>
      {loading ? <p className="muted board-empty">Loading…</p> : null}
      {!loading && ids.length === 0 ? <p className="muted board-empty">No notes here. Drop a card to move it here.</p> : null}
      {hasMore ? (
        <button type="button" className="btn btn-small" disabled={loadingMore} onClick={onLoadMore}>
          {loadingMore ? 'Loading more…' : 'Load more'}
        </button>
      ) : null}
    </section>
  );
}

type BoardCardProps = Pick<NotesBoardProps, 'listUrl' | 'onOpen' | 'onEdit' | 'onStatus' | 'onDelete'> & {
  note: DisplayNote;
};

const BoardCard = memo(function BoardCard({ note, listUrl, onOpen, onEdit, onStatus, onDelete }: BoardCardProps) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: note._id,
    disabled: !canActOn(note),
    attributes: { roleDescription: 'movable card' },
  });
  // Set through the element's style object (CSSOM), which the CSP's style-src 'self' allows.
  const style = { transform: CSS.Translate.toString(transform), transition };
  // The whole card drags with a pointer; the keyboard picks it up by its handle only (so Enter
  // and Space on the card's own buttons keep doing what they say).
  const onPointerDown = listeners?.onPointerDown as PointerEventHandler | undefined;
  const onKeyDown = listeners?.onKeyDown as KeyboardEventHandler | undefined;
  return (
    <li ref={setNodeRef} style={style} className="board-item" data-dragging={isDragging ? 'true' : 'false'} onPointerDown={onPointerDown}>
      <NoteCard
        note={note}
        listUrl={listUrl}
        onOpen={onOpen}
        onEdit={onEdit}
        onStatus={onStatus}
        onDelete={onDelete}
        handle={
          <button
            ref={setActivatorNodeRef}
            type="button"
            className="btn btn-small btn-ghost drag-handle"
            {...attributes}
            onKeyDown={onKeyDown}
            aria-label={`Move “${note.title}”`}
          >
            <span aria-hidden="true">⠿</span>
          </button>
        }
      />
    </li>
  );
});
