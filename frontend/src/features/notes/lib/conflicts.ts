/**
 * A save refused because the note changed elsewhere (412) or was deleted elsewhere (404):
 * what to show side by side, what still merges, and the copy of the person's text to keep.
 */
import { STATUS_LABELS, type Note, type NotePatch } from '@/features/notes/types';

type Field = keyof NotePatch;
const FIELDS: readonly Field[] = ['title', 'description', 'status', 'priority'];
export const FIELD_LABELS: Record<Field, string> = {
  title: 'Title',
  description: 'Description',
  status: 'Status',
  priority: 'Priority',
};

export interface ConflictRow {
  field: Field;
  label: string;
  theirs: string;
  yours: string;
  /** Changed elsewhere to another value than the person's: one of the two must give way. */
  conflicting: boolean;
}

function shown(field: Field, value: string): string {
  if (field === 'status') return STATUS_LABELS[value as Note['status']] ?? value;
  return value;
}

/** The person's changed fields beside the server's values (conflicting ones first). */
export function conflictRows(theirs: Note, patch: NotePatch, conflicts: readonly string[]): ConflictRow[] {
  const rows = FIELDS.filter((field) => patch[field] !== undefined).map((field) => ({
    field,
    label: FIELD_LABELS[field],
    theirs: shown(field, theirs[field]),
    yours: shown(field, patch[field] ?? ''),
    conflicting: conflicts.includes(field) || (conflicts.length === 0 && patch[field] !== theirs[field]),
  }));
  return [...rows.filter((row) => row.conflicting), ...rows.filter((row) => !row.conflicting)];
}

/** The part of the person's change nobody else touched: it is saved whatever they choose. */
export function mergeablePart(theirs: Note, patch: NotePatch, conflicts: readonly string[]): NotePatch {
  const part: NotePatch = {};
  for (const field of FIELDS) {
    const value = patch[field];
    if (value === undefined || value === theirs[field]) continue;
    if (conflicts.includes(field) || conflicts.length === 0) continue;
    Object.assign(part, { [field]: value });
  }
  return part;
}
