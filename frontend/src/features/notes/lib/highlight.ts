/**
 * Search matches to show on a card, from the server's `highlights` (text segments, never
 * HTML). They describe the text the server searched: once the note has changed here, they
 * no longer fit it, and the plain text is shown instead.
 */
import type { DisplayNote, HighlightSegment } from '@/features/notes/types';

const joined = (segments: readonly HighlightSegment[]) => segments.map((segment) => segment.text).join('');

/** The title's segments, when they still spell the title shown. */
export function titleHighlights(note: DisplayNote): readonly HighlightSegment[] | null {
  const segments = note.highlights?.title;
  if (!segments || note.pending || !segments.some((s) => s.match) || joined(segments) !== note.title) return null;
  return segments;
}

export interface PassageHighlights {
  segments: readonly HighlightSegment[];
  /** Text was left out before / after the passage. */
  before: boolean;
  after: boolean;
}

/** The passage of the description around its first match, when it is still in the description. */
export function descriptionHighlights(note: DisplayNote): PassageHighlights | null {
  const highlights = note.highlights;
  if (!highlights || note.pending || !highlights.description.some((s) => s.match)) return null;
  const text = joined(highlights.description);
  if (!text || !note.description.includes(text)) return null;
  return { segments: highlights.description, before: highlights.descriptionStart, after: highlights.descriptionEnd };
}
