import { describe, expect, it } from 'vitest';
import { optimisticNote, type PendingOp, type SendableOp } from '@/features/notes/lib/pending-ops';
import {
  cancellableDelete,
  dropCreate,
  newIdempotencyKey,
  nextSeq,
  queuedOps,
  rebaseOps,
  restoreOps,
  settleCreate,
  waitsForCreate,
} from '@/features/notes/lib/outbox';
import type { NoteChange } from '@/features/notes/types';
import { makeNote as note } from '@/testing/notes';

const input = { title: 'Offline idea', description: 'first words', status: 'Pending', priority: 'Low' } as const;
const temp = optimisticNote(input, 'pending-c1', 'u1');

function create(opId = 'c1'): SendableOp {
  return { opId, kind: 'create', note: temp, key: `k-${opId}`, seq: 1, queued: true };
}

function edit(opId: string, noteId: string, patch: NoteChange, baseVersion: number, seq: number): SendableOp {
  return { opId, kind: 'update', noteId, patch, base: note(noteId, { version: baseVersion }), baseVersion, key: `k-${opId}`, seq, queued: true };
}

function remove(opId: string, noteId: string, seq: number): SendableOp {
  return { opId, kind: 'delete', noteId, note: note(noteId), key: `k-${opId}`, seq, queued: true };
}

describe('queuedOps', () => {
  it('lists only the writes waiting for the network, in the order they were made', () => {
    const inFlight: PendingOp = { ...edit('u0', 'a', { title: 'x' }, 1, 0), queued: false };
    const restore: PendingOp = { opId: 'r', kind: 'restore', noteId: 'b', note: note('b') };
    const ops = [inFlight, create(), restore, edit('u1', 'a', { title: 'y' }, 1, 2)];
    expect(queuedOps(ops).map((op) => op.opId)).toEqual(['c1', 'u1']);
  });
});

describe('settleCreate (a note created offline gets its server id)', () => {
  it('points what waited behind the create at the server’s note, based on its version', () => {
    const saved = note('n-42', { ...input, version: 1 });
    const ops = [
      create(),
      edit('u1', 'pending-c1', { description: 'more words' }, 0, 2),
      edit('u2', 'other', { title: 'untouched' }, 5, 3),
      remove('d1', 'pending-c1', 4),
    ];
    const after = settleCreate(ops, 'c1', saved);
    expect(after.map((op) => op.opId)).toEqual(['u1', 'u2', 'd1']);
    const [first, second, third] = after;
    expect(first).toMatchObject({ kind: 'update', noteId: 'n-42', baseVersion: 1, key: 'k-u1' });
    expect(first?.kind === 'update' && first.base._id).toBe('n-42');
    expect(second).toBe(ops[2]);
    expect(third).toMatchObject({ kind: 'delete', noteId: 'n-42', key: 'k-d1' });
  });

  it('leaves the operations alone when the create is not among them', () => {
    const ops = [edit('u1', 'a', { title: 't' }, 1, 1)];
    expect(settleCreate(ops, 'missing', note('x'))).toEqual(ops);
  });
});

describe('rebaseOps', () => {
  it('bases the writes still waiting for a note on the version this page just saved', () => {
    const ops = [edit('u1', 'a', { title: 't' }, 1, 1), edit('u2', 'a', { title: 'u' }, 7, 2), edit('u3', 'b', {}, 1, 3)];
    const after = rebaseOps(ops, 'a', 4);
    expect(after.map((op) => op.kind === 'update' && op.baseVersion)).toEqual([4, 7, 1]);
  });
});

describe('dropCreate (the server refused a note made offline)', () => {
  it('drops it and what waited for it, and gives back the text as the person last left it', () => {
    const ops = [create(), edit('u1', 'pending-c1', { description: 'second thoughts' }, 0, 2), edit('u2', 'b', {}, 1, 3)];
    const { ops: left, latest } = dropCreate(ops, 'c1');
    expect(left.map((op) => op.opId)).toEqual(['u2']);
    expect(latest).toMatchObject({ title: 'Offline idea', description: 'second thoughts' });
    expect(latest).not.toHaveProperty('pending');
  });

  it('gives nothing back for a note the person had deleted anyway', () => {
    expect(dropCreate([create(), remove('d1', 'pending-c1', 2)], 'c1')).toEqual({ ops: [], latest: null });
  });
});

describe('restoreOps (what IndexedDB held)', () => {
  it('keeps the person’s own writes, checked, in the order they were made, as waiting', () => {
    const records = [
      { userId: 'u1', op: { ...edit('u2', 'a', { title: 'later' }, 1, 20), queued: false } },
      { userId: 'someone-else', op: edit('x', 'a', {}, 1, 5) },
      { userId: 'u1', op: create() },
      { userId: 'u1', op: { opId: 'broken', kind: 'update', key: 'k', seq: 3 } },
      'nonsense',
      null,
    ];
    const ops = restoreOps(records, 'u1');
    expect(ops.map((op) => op.opId)).toEqual(['c1', 'u2']);
    expect(ops.every((op) => op.queued)).toBe(true);
  });
});

describe('cancellableDelete and waitsForCreate', () => {
  it('calls off only a delete that waits and was never sent', () => {
    expect(cancellableDelete([remove('d1', 'a', 1)], 'a')).toBe('d1');
    expect(cancellableDelete([{ ...remove('d1', 'a', 1), sent: true }], 'a')).toBeNull();
    expect(cancellableDelete([{ ...remove('d1', 'a', 1), queued: false }], 'a')).toBeNull();
    expect(cancellableDelete([remove('d1', 'b', 1)], 'a')).toBeNull();
  });

  it('knows a write for a temporary id can only go after its create', () => {
    expect(waitsForCreate(edit('u1', 'pending-c1', {}, 0, 1))).toBe(true);
    expect(waitsForCreate(edit('u1', 'n-1', {}, 1, 1))).toBe(false);
    expect(waitsForCreate(create())).toBe(false);
  });
});

describe('ordering and keys', () => {
  it('numbers writes in order even within one millisecond', () => {
    const a = nextSeq(1_000);
    const b = nextSeq(1_000);
    const c = nextSeq(999);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
  });

  it('makes keys the server accepts, never the same twice', () => {
    const keys = new Set(Array.from({ length: 50 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{32}$/);
  });
});
