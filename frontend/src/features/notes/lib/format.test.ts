import { describe, expect, it } from 'vitest';
import { excerpt, timeAgo, timeUntil } from '@/features/notes/lib/format';

describe('format', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');

  it('says how long ago a change was', () => {
    expect(timeAgo('2026-06-01T11:59:30Z', now)).toBe('just now');
    expect(timeAgo('2026-06-01T11:55:00Z', now)).toBe('5 minutes ago');
    expect(timeAgo('2026-06-01T10:00:00Z', now)).toBe('2 hours ago');
    expect(timeAgo('2026-05-31T12:00:00Z', now)).toBe('yesterday');
    expect(timeAgo('not a date', now)).toBe('');
  });

  it('shows the start of a description as plain text, keeping its lines', () => {
    expect(excerpt('# Plan\n\n- [ ] **Book** the [train](https://x.example)\n- [x] Pack')).toBe(
      'Plan\n\n☐ Book the train\n☑ Pack',
    );
    expect(excerpt('a\n\n\n\nb')).toBe('a\n\nb');
    const long = excerpt('word '.repeat(100), 20);
    expect(long.length).toBeLessThanOrEqual(20);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('timeUntil', () => {
  it('counts days, and hours on the last day', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(timeUntil('2026-01-31T00:00:00Z', now)).toBe('in 30 days');
    expect(timeUntil('2026-01-01T05:00:00Z', now)).toBe('in 5 hours');
  });
});
