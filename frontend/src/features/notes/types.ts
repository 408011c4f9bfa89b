export const NOTE_STATUSES = ['Pending', 'InProgress', 'Done'] as const;
export const NOTE_PRIORITIES = ['Low', 'Medium', 'High'] as const;

export type NoteStatus = (typeof NOTE_STATUSES)[number];
export type NotePriority = (typeof NOTE_PRIORITIES)[number];

export interface Note {
  _id: string;
  userId: string;
  title: string;
  description: string;
  status: NoteStatus;
  priority: NotePriority;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A note as shown: `pending` until the server has confirmed the last change to it. */
export interface DisplayNote extends Note {
  pending?: boolean;
}

export interface NoteInput {
  title: string;
  description: string;
  status: NoteStatus;
  priority: NotePriority;
}

export type NotePatch = Partial<NoteInput>;

export interface NoteFilters {
  q: string;
  status: NoteStatus | '';
  priority: NotePriority | '';
}

export interface NotesPage {
  notes: Note[];
  nextCursor: string | null;
}

export const STATUS_LABELS: Record<NoteStatus, string> = {
  Pending: 'Pending',
  InProgress: 'In progress',
  Done: 'Done',
};

export function isNoteStatus(value: string | null): value is NoteStatus {
  return value !== null && (NOTE_STATUSES as readonly string[]).includes(value);
}

export function isNotePriority(value: string | null): value is NotePriority {
  return value !== null && (NOTE_PRIORITIES as readonly string[]).includes(value);
}
