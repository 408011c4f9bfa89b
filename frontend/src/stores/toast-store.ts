import { create } from 'zustand';

export type ToastTone = 'info' | 'success' | 'error';
/** Why a toast went away: its time ran out, its action or × was pressed, or newer ones pushed it out. */
export type ToastCloseReason = 'timeout' | 'action' | 'dismiss' | 'evicted';

export interface ToastAction {
  label: string;
  onClick: () => void;
}

export interface ToastOptions {
  tone?: ToastTone;
  action?: ToastAction;
  durationMs?: number;
  /** Put the keyboard focus on the action at once (it pauses the timer while there). */
  focusAction?: boolean;
  /** `hadFocus`: the keyboard focus was inside the toast, so the caller should move it on. */
  onClose?: (reason: ToastCloseReason, hadFocus: boolean) => void;
}

export interface Toast extends Required<Pick<ToastOptions, 'tone' | 'durationMs'>> {
  id: number;
  message: string;
  action?: ToastAction;
  focusAction: boolean;
  onClose?: ToastOptions['onClose'];
}

const MAX_TOASTS = 4;

interface ToastState {
  toasts: Toast[];
  push: (message: string, options?: ToastOptions) => number;
  close: (id: number, reason: ToastCloseReason) => void;
}

let nextId = 1;

function focusIsIn(id: number): boolean {
  const active = typeof document === 'undefined' ? null : document.activeElement;
  return Boolean(active?.closest(`[data-toast-id="${id}"]`));
}

export const useToastStore = create<ToastState>()((set, get) => ({
  toasts: [],
  push: (message, options = {}) => {
    const toast: Toast = {
      id: nextId++,
      message,
      tone: options.tone ?? 'info',
      action: options.action,
      durationMs: options.durationMs ?? 6000,
      focusAction: options.focusAction ?? false,
      onClose: options.onClose,
    };
    const toasts = [...get().toasts, toast];
    const evicted = toasts.slice(0, Math.max(0, toasts.length - MAX_TOASTS));
    set({ toasts: toasts.slice(-MAX_TOASTS) });
    for (const old of evicted) old.onClose?.('evicted', false);
    return toast.id;
  },
  close: (id, reason) => {
    const toast = get().toasts.find((t) => t.id === id);
    if (!toast) return;
    // Told while the toast is still on screen, so the caller can move the focus out of it first.
    toast.onClose?.(reason, focusIsIn(id));
    set((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) }));
  },
}));

export const toast = {
  info: (message: string, options?: Omit<ToastOptions, 'tone'>) =>
    useToastStore.getState().push(message, { ...options, tone: 'info' }),
  success: (message: string) => useToastStore.getState().push(message, { tone: 'success' }),
  error: (message: string, options?: Omit<ToastOptions, 'tone'>) =>
    useToastStore.getState().push(message, { durationMs: 8000, ...options, tone: 'error' }),
  dismiss: (id: number) => useToastStore.getState().close(id, 'dismiss'),
  /** Press the action of the newest toast that has one labelled `label` (the undo shortcut). */
  act: (label: string): boolean => {
    const target = [...useToastStore.getState().toasts].reverse().find((t) => t.action?.label === label);
    if (!target?.action) return false;
    target.action.onClick();
    useToastStore.getState().close(target.id, 'action');
    return true;
  },
};
