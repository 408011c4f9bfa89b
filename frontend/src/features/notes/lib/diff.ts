/**
 * The difference between two texts, line by line (longest common subsequence): what a
 * version of a note would change in the current one.
 */
export type DiffLine = { kind: 'same' | 'added' | 'removed'; text: string };

/** Changed lines compared pairwise at most (4 M cells: 16 MB, a few ms). */
const MAX_TABLE = 4_000_000;

/** Lines of `from` not in `to` are removed, lines of `to` not in `from` added, in order. */
export function diffLines(from: string, to: string): DiffLine[] {
  const a = from === '' ? [] : from.split('\n');
  const b = to === '' ? [] : to.split('\n');
  // Common head and tail first: most edits touch a few lines of a long text.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail += 1;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const same = (text: string): DiffLine => ({ kind: 'same', text });
  if (x.length * y.length > MAX_TABLE) {
    // Too long to compare line by line here: the changed middle as a whole, out and in.
    return [
      ...a.slice(0, head).map(same),
      ...x.map((text): DiffLine => ({ kind: 'removed', text })),
      ...y.map((text): DiffLine => ({ kind: 'added', text })),
      ...a.slice(a.length - tail).map(same),
    ];
  }
  // at(i, j): the longest common subsequence of x[i..] and y[j..] (a flat table).
  const width = y.length + 1;
  const lcs = new Uint32Array((x.length + 1) * width);
  const at = (i: number, j: number) => lcs[i * width + j] ?? 0;
  for (let i = x.length - 1; i >= 0; i -= 1) {
    for (let j = y.length - 1; j >= 0; j -= 1) {
      lcs[i * width + j] = x[i] === y[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const middle: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      middle.push({ kind: 'same', text: x[i] as string });
      i += 1;
      j += 1;
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      middle.push({ kind: 'removed', text: x[i] as string });
      i += 1;
    } else {
      middle.push({ kind: 'added', text: y[j] as string });
      j += 1;
    }
  }
  for (; i < x.length; i += 1) middle.push({ kind: 'removed', text: x[i] as string });
  for (; j < y.length; j += 1) middle.push({ kind: 'added', text: y[j] as string });
  return [...a.slice(0, head).map(same), ...middle, ...a.slice(a.length - tail).map(same)];
}

/** Whether a diff changes anything. */
export function hasChanges(lines: readonly DiffLine[]): boolean {
  return lines.some((line) => line.kind !== 'same');
}
