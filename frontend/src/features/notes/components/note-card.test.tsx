import { fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { NoteCard } from '@/features/notes/components/note-card';
import type { DisplayNote } from '@/features/notes/types';

const note: DisplayNote = {
  _id: 'n1',
  userId: 'u1',
  title: 'Water the plants',
  description: 'All of them,\neven the **cactus**.',
  status: 'Pending',
  priority: 'High',
  version: 3,
  position: 'a0',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: new Date().toISOString(),
};

function renderCard(overrides: Partial<DisplayNote> = {}) {
  const handlers = { onOpen: vi.fn(), onEdit: vi.fn(), onStatus: vi.fn(), onDelete: vi.fn() };
  render(
    <MemoryRouter>
      <NoteCard note={{ ...note, ...overrides }} {...handlers} />
    </MemoryRouter>,
  );
  return handlers;
}

describe('NoteCard', () => {
  it('shows title (a link to the note), excerpt, priority, status and time', () => {
    renderCard();
    const card = screen.getByRole('article', { name: 'Water the plants' });
    expect(card.dataset.pending).toBe('false');
    expect(card.querySelector('.note-excerpt')?.textContent).toBe('All of them,\neven the cactus.');
    expect(card.textContent).toContain('High priority');
    expect(screen.getByRole('link', { name: 'Water the plants' }).getAttribute('href')).toBe('/notes/n1');
    expect(card.querySelector('time')?.textContent).toBe('Updated just now');
  });

  it('changes status either way in one click, and offers edit and delete', () => {
    const handlers = renderCard({ status: 'Done' });
    const group = screen.getByRole('group', { name: 'Status of “Water the plants”' });
    const pressed = [...group.querySelectorAll('button')].map((b) => [b.textContent, b.getAttribute('aria-pressed')]);
    expect(pressed).toEqual([
      ['Pending', 'false'],
      ['In progress', 'false'],
      ['Done', 'true'],
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'In progress' }));
    expect(handlers.onStatus).toHaveBeenCalledWith(expect.objectContaining({ _id: 'n1' }), 'InProgress');
    fireEvent.click(screen.getByRole('button', { name: 'Edit: Water the plants' }));
    expect(handlers.onEdit).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByRole('button', { name: 'Delete: Water the plants' }), { detail: 1 });
    expect(handlers.onDelete).toHaveBeenCalledWith(expect.objectContaining({ _id: 'n1' }), false);
  });

  it('opens with Enter on the card itself', () => {
    const handlers = renderCard();
    const card = screen.getByRole('article', { name: 'Water the plants' });
    fireEvent.keyDown(card, { key: 'Enter' });
    expect(handlers.onOpen).toHaveBeenCalledTimes(1);
  });

  it('marks an unconfirmed change as pending', () => {
    renderCard({ pending: true, status: 'Done' });
    const card = screen.getByRole('article', { name: 'Water the plants' });
    expect(card.dataset.pending).toBe('true');
    expect(card.getAttribute('aria-busy')).toBe('true');
    expect(screen.getByText('Saving…')).toBeTruthy();
  });

  it('disables actions on a note the server has not created yet', () => {
    renderCard({ _id: 'pending-create-1', pending: true });
    expect((screen.getByRole('button', { name: 'Edit: Water the plants' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByRole('link')).toBeNull();
  });
});
