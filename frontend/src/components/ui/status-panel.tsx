import type { ReactNode } from 'react';

interface StatusPanelProps {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  tone?: 'neutral' | 'error';
}

/** Empty and error states: what happened, and what to do next. */
export function StatusPanel({ title, children, action, tone = 'neutral' }: StatusPanelProps) {
  return (
    <div className={`status-panel status-panel-${tone}`} role={tone === 'error' ? 'alert' : undefined}>
      <h2>{title}</h2>
      {children ? <div className="status-panel-body">{children}</div> : null}
      {action ? <div className="status-panel-action">{action}</div> : null}
    </div>
  );
}
