import type { HighlightSegment } from '@/features/notes/types';

/** Text with the searched words marked (React text nodes: whatever the note says stays text). */
export function Highlighted({ segments }: { segments: readonly HighlightSegment[] }) {
  return segments.map((segment, index) =>
    segment.match ? <mark key={index}>{segment.text}</mark> : <span key={index}>{segment.text}</span>,
  );
}
