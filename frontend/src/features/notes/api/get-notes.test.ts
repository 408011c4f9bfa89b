import { describe, expect, it, vi } from 'vitest';
import { getNotesPage } from '@/features/notes/api/get-notes';
import type { Note, NoteFilters } from '@/features/notes/types';
import { makeNote } from '@/testing/notes';

const filters: NoteFilters = { q: ' milk ', status: 'Pending', priority: '', sort: '', order: '' };

function note(id: string, version: number, title = `Note ${id}`): Note {
  return makeNote(id, { version, title });
}

describe('getNotesPage', () => {
  it('sends the filters, keeps the ETag with the page, and keeps the held page on 304', async () => {
    const body = { success: true, message: 'ok', notes: [note('a', 1)], nextCursor: 'next' };
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(new Response(JSON.stringify(body), { status: 200, headers: { ETag: 'W/"v1"' } }))
      .mockResolvedValueOnce(new Response(null, { status: 304 }));
    vi.stubGlobal('fetch', fetchMock);

    const first = await getNotesPage(filters, null);
    expect(first).toMatchObject({ nextCursor: 'next', etag: 'W/"v1"' });
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/v1/note?limit=20&status=Pending&q=milk');
    expect((init.headers as Record<string, string>)['If-None-Match']).toBeUndefined();

    const second = await getNotesPage(filters, null, first);
    const [, init2] = fetchMock.mock.calls[1] as [string, RequestInit];
    expect((init2.headers as Record<string, string>)['If-None-Match']).toBe('W/"v1"');
    expect(second).toBe(first);
  });

  it('asks for a cursor, and keeps a newer copy of a note than a late answer has', async () => {
    const body = { notes: [note('a', 1, 'Stale'), note('b', 1)], nextCursor: null };
    const fetchMock = vi.fn(() => Promise.resolve(new Response(JSON.stringify(body), { headers: { ETag: '"p2"' } })));
    vi.stubGlobal('fetch', fetchMock);
    const held = { notes: [note('a', 2, 'Mine')], nextCursor: null, etag: '"p1"' };
    const page = await getNotesPage(filters, 'abc', held);
    const [url] = fetchMock.mock.calls[0] as unknown as [string];
    expect(url).toContain('cursor=abc');
    expect(page.notes.map((n) => n.title)).toEqual(['Mine', 'Note b']);
    expect(page.etag).toBe('"p2"');
  });
});
