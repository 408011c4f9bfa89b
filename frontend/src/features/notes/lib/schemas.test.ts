import { describe, expect, it } from 'vitest';
import { noteInputSchema } from '@/features/notes/lib/schemas';

const valid = { title: 'Title', description: '', status: 'Pending', priority: 'Low' };

describe('noteInputSchema (same limits as the server)', () => {
  it('trims the title and requires 1 to 200 characters', () => {
    expect(noteInputSchema.parse({ ...valid, title: '  Hi  ' }).title).toBe('Hi');
    expect(noteInputSchema.safeParse({ ...valid, title: '   ' }).success).toBe(false);
    expect(noteInputSchema.safeParse({ ...valid, title: 'x'.repeat(200) }).success).toBe(true);
    expect(noteInputSchema.safeParse({ ...valid, title: 'x'.repeat(201) }).success).toBe(false);
  });

  it('allows a description of up to 100,000 characters', () => {
    expect(noteInputSchema.safeParse({ ...valid, description: 'x'.repeat(100_000) }).success).toBe(true);
    expect(noteInputSchema.safeParse({ ...valid, description: 'x'.repeat(100_001) }).success).toBe(false);
  });

  it('accepts only the known statuses and priorities', () => {
    expect(noteInputSchema.safeParse({ ...valid, status: 'Later' }).success).toBe(false);
    expect(noteInputSchema.safeParse({ ...valid, priority: 'Urgent' }).success).toBe(false);
  });
});
