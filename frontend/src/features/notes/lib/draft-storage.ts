/**
 * Unsaved note text kept in the browser (localStorage), per person and per note ("new" for a
 * note not created yet), so that a reload or a closed tab loses nothing. A draft lives until
 * it is saved or discarded, or for 30 days.
 */
import type { NoteInput } from '@/features/notes/types';

export interface Draft {
  values: NoteInput;
  savedAt: number;
}

const PREFIX = 'notestack:draft:';
export const DRAFT_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

export function draftKey(userId: string, noteId: string | null): string {
  return `${PREFIX}${userId}:${noteId ?? 'new'}`;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function isNoteInput(value: unknown): value is NoteInput {
  if (typeof value !== 'object' || value === null) return false;
  const { title, description, status, priority } = value as Record<string, unknown>;
  return [title, description, status, priority].every((field) => typeof field === 'string');
}

export function loadDraft(key: string, now = Date.now(), store = storage()): Draft | null {
  const raw = store?.getItem(key);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as { values?: unknown; savedAt?: unknown };
    if (isNoteInput(parsed.values) && typeof parsed.savedAt === 'number' && now - parsed.savedAt < DRAFT_MAX_AGE_MS) {
      return { values: parsed.values, savedAt: parsed.savedAt };
    }
  } catch {
    // Not ours, or damaged: drop it below.
  }
  store?.removeItem(key);
  return null;
}

export function saveDraft(key: string, values: NoteInput, now = Date.now(), store = storage()): void {
  try {
    store?.setItem(key, JSON.stringify({ values, savedAt: now }));
  } catch {
    // Storage full or refused (private window): the text is still in the form.
  }
}

export function clearDraft(key: string, store = storage()): void {
  store?.removeItem(key);
}

/** The ids of the notes that have a draft for this person ("new" included). */
export function draftNoteIds(userId: string, store = storage()): Set<string> {
  const ids = new Set<string>();
  if (!store) return ids;
  const prefix = `${PREFIX}${userId}:`;
  for (let index = 0; index < store.length; index += 1) {
    const key = store.key(index);
    if (key?.startsWith(prefix)) ids.add(key.slice(prefix.length));
  }
  return ids;
}
