import { describe, expect, it } from 'vitest';
import { excerpt, nextStatus, timeAgo } from '@/features/notes/lib/format';

describe('format', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');

  it('says how long ago a change was', () => {
    expect(timeAgo('2026-06-01T11:59:30Z', now)).toBe('just now');
    expect(timeAgo('2026-06-01T11:55:00Z', now)).toBe('5 minutes ago');
    expect(timeAgo('2026-06-01T10:00:00Z', now)).toBe('2 hours ago');
    expect(timeAgo('2026-05-31T12:00:00Z', now)).toBe('yesterday');
    expect(timeAgo('not a date', now)).toBe('');
  });

  it('shortens long descriptions on one line', () => {
    expect(excerpt('a\n\nb   c')).toBe('a b c');
    const long = excerpt('word '.repeat(100), 20);
    expect(long.length).toBeLessThanOrEqual(20);
    expect(long.endsWith('…')).toBe(true);
  });

  it('cycles the status in one click', () => {
    expect(nextStatus('Pending')).toEqual({ to: 'InProgress', label: 'Start' });
    expect(nextStatus('InProgress')).toEqual({ to: 'Done', label: 'Mark done' });
    expect(nextStatus('Done')).toEqual({ to: 'Pending', label: 'Reopen' });
  });
});
