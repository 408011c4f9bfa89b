import { describe, expect, it } from 'vitest';
import { diffLines, hasChanges } from '@/features/notes/lib/diff';

const show = (from: string, to: string) =>
  diffLines(from, to).map(({ kind, text }) => `${kind === 'same' ? ' ' : kind === 'added' ? '+' : '-'}${text}`);

describe('diffLines', () => {
  it('keeps common lines and marks the removed and the added ones in order', () => {
    expect(show('a\nb\nc', 'a\nB\nc\nd')).toEqual([' a', '-b', '+B', ' c', '+d']);
    expect(show('', 'new')).toEqual(['+new']);
    expect(show('old', '')).toEqual(['-old']);
    expect(show('x\ny', 'y\nx')).toEqual(['-x', ' y', '+x']);
  });

  it('says when nothing differs', () => {
    expect(hasChanges(diffLines('same\ntext', 'same\ntext'))).toBe(false);
    expect(hasChanges(diffLines('a', 'b'))).toBe(true);
  });
});

describe('diffLines on long texts', () => {
  it('stays bounded: a huge changed middle is shown out and in as a whole', () => {
    const from = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n');
    const to = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n');
    const lines = diffLines(`head\n${from}`, `head\n${to}`);
    expect(lines[0]).toEqual({ kind: 'same', text: 'head' });
    expect(lines.filter((line) => line.kind === 'removed')).toHaveLength(3000);
    expect(lines.filter((line) => line.kind === 'added')).toHaveLength(3000);
  });
});
