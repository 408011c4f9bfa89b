import { useCallback, useRef, useState } from 'react';
import { clearDraft } from '@/features/notes/lib/draft-storage';

/**
 * Closing a form with unsaved changes asks first: `requestClose` either closes at once or
 * sets `confirming`; `discard` drops the draft and closes.
 */
export function useGuardedClose(draftKey: string, close: () => void) {
  const dirty = useRef(false);
  const [confirming, setConfirming] = useState(false);
  const onDirtyChange = useCallback((value: boolean) => {
    dirty.current = value;
  }, []);
  const requestClose = useCallback(() => {
    if (dirty.current) setConfirming(true);
    else close();
  }, [close]);
  const keepEditing = useCallback(() => setConfirming(false), []);
  const discard = useCallback(() => {
    clearDraft(draftKey);
    dirty.current = false;
    setConfirming(false);
    close();
  }, [close, draftKey]);
  return { confirming, onDirtyChange, requestClose, keepEditing, discard };
}
