/**
 * GFM task lists in a note's Markdown: flip one "- [ ]" / "- [x]" in the source text, found
 * by the list item's offset (the renderer gives each item its position in the source).
 */
const TASK_MARKER = /^[ \t]*(?:[-+*]|\d{1,9}[.)])[ \t]+\[([ xX])\]/;

/** The source with the task item starting at `offset` ticked or unticked; null if none is there. */
export function toggleTaskAt(source: string, offset: number, checked: boolean): string | null {
  const match = TASK_MARKER.exec(source.slice(offset));
  if (!match) return null;
  const at = offset + match[0].length - 2;
  return `${source.slice(0, at)}${checked ? 'x' : ' '}${source.slice(at + 1)}`;
}

/** The text of the task item starting at `offset` (what its checkbox is named after). */
export function taskLabelAt(source: string, offset: number): string {
  const rest = source.slice(offset);
  const match = TASK_MARKER.exec(rest);
  if (!match) return '';
  const end = rest.indexOf('\n');
  return rest
    .slice(match[0].length, end < 0 ? undefined : end)
    .replace(/[*_`~]/g, '')
    .trim();
}
