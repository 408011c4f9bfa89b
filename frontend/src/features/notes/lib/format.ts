const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function timeAgo(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((then - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

/** How long until a time, in days (or hours on the last day): "in 30 days", "in 5 hours". */
export function timeUntil(iso: string, now: number = Date.now()): string {
  const seconds = (Date.parse(iso) - now) / 1000;
  if (Number.isNaN(seconds)) return '';
  if (Math.abs(seconds) < 24 * 3600) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / (24 * 3600)), 'day');
}

/**
 * The start of a Markdown description as plain text for a card: line breaks kept (the card
 * clamps the lines), the commonest Markdown marks removed.
 */
export function excerpt(text: string, max = 400): string {
  const plain = text
    .replace(/\r\n?/g, '\n')
    .replace(/^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?)/gm, '')
    .replace(/^([ \t]*)(?:[-+*]|\d{1,9}[.)])[ \t]+\[([ xX])\][ \t]*/gm, (_m, indent: string, mark: string) =>
      `${indent}${mark === ' ' ? '☐' : '☑'} `,
    )
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|~~|`)/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1).trimEnd()}…` : plain;
}
