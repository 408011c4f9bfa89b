import { create } from 'zustand';

interface SyncState {
  /** Changes kept on this device (the outbox) until the server has them. */
  waiting: number;
  /** The outbox is being sent now. */
  syncing: boolean;
}

/** What the connection indicator shows of the outbox (written by it, read by the app shell). */
export const useSyncStore = create<SyncState>()(() => ({ waiting: 0, syncing: false }));
