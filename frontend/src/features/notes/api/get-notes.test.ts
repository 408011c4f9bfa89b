import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearNotesValidators, getNotesPage } from '@/features/notes/api/get-notes';
import type { NoteFilters } from '@/features/notes/types';

const filters: NoteFilters = { q: ' milk ', status: 'Pending', priority: '' };

afterEach(() => clearNotesValidators());

describe('getNotesPage', () => {
  it('sends the filters, remembers the ETag, and keeps its page on 304', async () => {
    const page = { success: true, notes: [{ _id: 'a' }], nextCursor: 'next' };
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(new Response(JSON.stringify(page), { status: 200, headers: { ETag: 'W/"v1"' } }))
      .mockResolvedValueOnce(new Response(null, { status: 304 }));
    vi.stubGlobal('fetch', fetchMock);

    const first = await getNotesPage(filters, null);
    expect(first.nextCursor).toBe('next');
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/v1/note?limit=20&status=Pending&q=milk');
    expect((init.headers as Record<string, string>)['If-None-Match']).toBeUndefined();

    const second = await getNotesPage(filters, null);
    const [, init2] = fetchMock.mock.calls[1] as [string, RequestInit];
    expect((init2.headers as Record<string, string>)['If-None-Match']).toBe('W/"v1"');
    expect(second).toBe(first);
  });

  it('keeps one validator per cursor', async () => {
    const fetchMock = vi.fn(() =>
      Promise.resolve(
        new Response(JSON.stringify({ notes: [], nextCursor: null }), { headers: { ETag: '"p2"' } }),
      ),
    );
    vi.stubGlobal('fetch', fetchMock);
    await getNotesPage(filters, 'abc');
    const [url] = fetchMock.mock.calls[0] as unknown as [string];
    expect(url).toContain('cursor=abc');
    await getNotesPage(filters, null);
    const [, init] = fetchMock.mock.calls[1] as unknown as [string, RequestInit];
    expect((init.headers as Record<string, string>)['If-None-Match']).toBeUndefined();
  });
});
