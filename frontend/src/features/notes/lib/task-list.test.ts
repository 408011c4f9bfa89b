import { describe, expect, it } from 'vitest';
import { taskLabelAt, toggleTaskAt } from '@/features/notes/lib/task-list';

const source = '# Trip\n\n- [ ] Book the train\n- [x] Pack *socks*\n  1. [ ] nested\n\nNot a [ ] task';

describe('task lists in Markdown', () => {
  it('ticks and unticks the item at an offset, leaving the rest as it was', () => {
    const first = source.indexOf('- [ ] Book');
    const ticked = toggleTaskAt(source, first, true);
    expect(ticked).toBe(source.replace('- [ ] Book', '- [x] Book'));
    const second = source.indexOf('- [x] Pack');
    expect(toggleTaskAt(source, second, false)).toBe(source.replace('- [x] Pack', '- [ ] Pack'));
    const nested = source.indexOf('1. [ ]');
    expect(toggleTaskAt(source, nested, true)).toBe(source.replace('1. [ ] nested', '1. [x] nested'));
  });

  it('refuses an offset that is not a task item', () => {
    expect(toggleTaskAt(source, source.indexOf('Not a'), true)).toBeNull();
    expect(toggleTaskAt(source, 0, true)).toBeNull();
  });

  it('names a task by its text', () => {
    expect(taskLabelAt(source, source.indexOf('- [x] Pack'))).toBe('Pack socks');
    expect(taskLabelAt(source, source.indexOf('- [ ] Book'))).toBe('Book the train');
  });
});
