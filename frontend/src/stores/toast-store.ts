import { create } from 'zustand';

export type ToastTone = 'info' | 'success' | 'error';

export interface ToastAction {
  label: string;
  onClick: () => void;
}

export interface Toast {
  id: number;
  message: string;
  tone: ToastTone;
  action?: ToastAction;
  durationMs: number;
}

interface ToastState {
  toasts: Toast[];
  push: (toast: Omit<Toast, 'id' | 'durationMs' | 'tone'> & Partial<Toast>) => number;
  dismiss: (id: number) => void;
}

let nextId = 1;

export const useToastStore = create<ToastState>()((set) => ({
  toasts: [],
  push: (input) => {
    const toast: Toast = {
      id: nextId++,
      message: input.message,
      tone: input.tone ?? 'info',
      action: input.action,
      durationMs: input.durationMs ?? 6000,
    };
    set((state) => ({ toasts: [...state.toasts, toast].slice(-4) }));
    return toast.id;
  },
  dismiss: (id) => set((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) })),
}));

export const toast = {
  info: (message: string, action?: ToastAction, durationMs?: number) =>
    useToastStore.getState().push({ message, tone: 'info', action, durationMs }),
  success: (message: string) => useToastStore.getState().push({ message, tone: 'success' }),
  error: (message: string, action?: ToastAction) =>
    useToastStore.getState().push({ message, tone: 'error', action, durationMs: 8000 }),
  dismiss: (id: number) => useToastStore.getState().dismiss(id),
};
