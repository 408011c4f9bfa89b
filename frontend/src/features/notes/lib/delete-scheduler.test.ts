import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  cancelDelete,
  flushDeletes,
  isDeleteScheduled,
  scheduleDelete,
} from '@/features/notes/lib/delete-scheduler';

describe('delayed delete', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await flushDeletes();
    vi.useRealTimers();
  });

  it('sends the delete only when the undo window closes', () => {
    const run = vi.fn(() => Promise.resolve());
    scheduleDelete('a', run, 5000);
    vi.advanceTimersByTime(4999);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
    expect(isDeleteScheduled('a')).toBe(false);
  });

  it('undo cancels it before it is sent, and only once', () => {
    const run = vi.fn(() => Promise.resolve());
    scheduleDelete('a', run, 5000);
    expect(cancelDelete('a')).toBe(true);
    expect(cancelDelete('a')).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(run).not.toHaveBeenCalled();
  });

  it('flush sends every scheduled delete at once (page hidden, sign-out)', async () => {
    const a = vi.fn(() => Promise.resolve());
    const b = vi.fn(() => Promise.resolve());
    scheduleDelete('a', a, 5000);
    scheduleDelete('b', b, 5000);
    await flushDeletes();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(a).toHaveBeenCalledTimes(1);
  });
});
