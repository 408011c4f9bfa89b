import { lazy, Suspense, useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { paths } from '@/config/paths';
import type { TransferKind } from '@/features/transfer/components/transfer-dialog';

/** Export and import load with their dialog, when first opened. */
const TransferDialog = lazy(() => import('@/features/transfer/components/transfer-dialog'));

/**
 * The signed-in person's menu: the trash, export and import. A disclosure (a button that
 * shows a list of links and buttons): Escape or a click elsewhere closes it.
 */
export function AccountMenu({ username }: { username: string }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [transfer, setTransfer] = useState<TransferKind | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const choose = (kind: TransferKind) => {
    setOpen(false);
    setTransfer(kind);
  };

  return (
    <div className="account-menu" ref={root}>
      <button
        ref={toggle}
        type="button"
        className="btn btn-ghost"
        aria-expanded={open}
        aria-controls={`${id}-menu`}
        onClick={() => setOpen((value) => !value)}
      >
        <span className="visually-hidden">Account menu of </span>
        {username}
      </button>
      <ul id={`${id}-menu`} className="account-menu-list" hidden={!open}>
        <li>
          <Link to={paths.trash} onClick={() => setOpen(false)}>
            Trash
          </Link>
        </li>
        <li>
          <button type="button" onClick={() => choose('export')}>
            Export notes…
          </button>
        </li>
        <li>
          <button type="button" onClick={() => choose('import')}>
            Import notes…
          </button>
        </li>
      </ul>
      {transfer ? (
        <Suspense fallback={null}>
          <TransferDialog kind={transfer} onClose={() => setTransfer(null)} />
        </Suspense>
      ) : null}
    </div>
  );
}
