import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { NoteCard } from '@/features/notes/components/note-card';
import type { DisplayNote } from '@/features/notes/types';

const note: DisplayNote = {
  _id: 'n1',
  userId: 'u1',
  title: 'Water the plants',
  description: 'All of them, even the cactus.',
  status: 'Pending',
  priority: 'High',
  version: 3,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: new Date().toISOString(),
};

function renderCard(overrides: Partial<DisplayNote> = {}) {
  const handlers = { onEdit: vi.fn(), onStatus: vi.fn(), onDelete: vi.fn() };
  render(<NoteCard note={{ ...note, ...overrides }} {...handlers} />);
  return handlers;
}

describe('NoteCard', () => {
  it('shows title, excerpt, priority, status and time, named by its title', () => {
    renderCard();
    const card = screen.getByRole('article', { name: 'Water the plants' });
    expect(card.dataset.pending).toBe('false');
    expect(card.textContent).toContain('All of them, even the cactus.');
    expect(card.textContent).toContain('High priority');
    expect(card.textContent).toContain('Pending');
    expect(card.querySelector('time')?.textContent).toBe('Updated just now');
  });

  it('changes status in one click and offers edit and delete', () => {
    const handlers = renderCard();
    fireEvent.click(screen.getByRole('button', { name: 'Start: Water the plants' }));
    expect(handlers.onStatus).toHaveBeenCalledWith(expect.objectContaining({ _id: 'n1' }), 'InProgress');
    fireEvent.click(screen.getByRole('button', { name: 'Edit: Water the plants' }));
    expect(handlers.onEdit).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByRole('button', { name: 'Delete: Water the plants' }));
    expect(handlers.onDelete).toHaveBeenCalledTimes(1);
  });

  it('marks an unconfirmed change as pending', () => {
    renderCard({ pending: true, status: 'Done' });
    const card = screen.getByRole('article', { name: 'Water the plants' });
    expect(card.dataset.pending).toBe('true');
    expect(card.getAttribute('aria-busy')).toBe('true');
    expect(screen.getByText('Saving…')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reopen: Water the plants' })).toBeTruthy();
  });

  it('disables actions on a note the server has not created yet', () => {
    renderCard({ _id: 'pending-create-1', pending: true });
    expect((screen.getByRole('button', { name: 'Edit: Water the plants' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
