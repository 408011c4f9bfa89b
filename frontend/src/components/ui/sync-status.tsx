import { onlineManager } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { useSyncStore } from '@/stores/sync-store';

const changes = (count: number) => (count === 1 ? '1 change' : `${count} changes`);
const isOnline = () => onlineManager.isOnline();

/**
 * Online, offline (and how many changes wait), or syncing: announced politely as it changes.
 * Loaded just after the first paint (it is not needed for it).
 */
export default function SyncStatus() {
  const online = useSyncExternalStore((notify) => onlineManager.subscribe(notify), isOnline);
  const { waiting, syncing } = useSyncStore();
  let state = 'online';
  let label = 'Online';
  if (!online) {
    state = 'offline';
    label = waiting ? `Offline: ${changes(waiting)} waiting` : 'Offline';
  } else if (syncing) {
    state = 'syncing';
    label = `Syncing ${changes(waiting)}…`;
  } else if (waiting) {
    state = 'waiting';
    label = `${changes(waiting)} waiting`;
  }
  return (
    <p className="sync-status" data-state={state} role="status" aria-live="polite">
      {label}
    </p>
  );
}
