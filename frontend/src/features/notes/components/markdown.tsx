/**
 * A note's description as Markdown (CommonMark + GFM: task lists, tables, strikethrough,
 * autolinks), by react-markdown: it builds React elements, never HTML strings, so raw HTML in
 * a note is shown as text (a <script> stays words on the screen) and unsafe URLs such as
 * `javascript:` are dropped by its URL filter. Links open in a new tab without access to this
 * one (rel="noopener noreferrer"); task-list checkboxes can be ticked when `onToggleTask` is given.
 */
import { createContext, useContext, useMemo } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { taskLabelAt } from '@/features/notes/lib/task-list';

interface MarkdownContextValue {
  source: string;
  onToggleTask?: (offset: number, checked: boolean) => void;
}

const MarkdownContext = createContext<MarkdownContextValue>({ source: '' });
/** The source offset of the task item a checkbox belongs to. */
const TaskContext = createContext<number | null>(null);

const components: Components = {
  a: ({ node, children, ...props }) => (
    <a {...props} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ),
  // Images from other sites would break the page's Content-Security-Policy: link to them instead.
  img: ({ src, alt }) =>
    typeof src === 'string' && src ? (
      <a href={src} target="_blank" rel="noopener noreferrer">
        {alt || src}
      </a>
    ) : null,
  li: ({ node, children, ...props }) => {
    const offset = node?.position?.start.offset;
    const isTask = typeof props.className === 'string' && props.className.includes('task-list-item');
    return (
      <li {...props}>
        {isTask && offset !== undefined ? <TaskContext value={offset}>{children}</TaskContext> : children}
      </li>
    );
  },
  input: function TaskCheckbox({ type, checked }) {
    const { source, onToggleTask } = useContext(MarkdownContext);
    const offset = useContext(TaskContext);
    if (type !== 'checkbox' || offset === null) return null;
    return (
      <input
        type="checkbox"
        className="task-checkbox"
        checked={Boolean(checked)}
        disabled={!onToggleTask}
        aria-label={taskLabelAt(source, offset) || 'Task'}
        onChange={(event) => onToggleTask?.(offset, event.target.checked)}
      />
    );
  },
  // The page has the one h1 (the note's title): headings in a note start one level down.
  h1: 'h2',
  h2: 'h3',
  h3: 'h4',
  h4: 'h5',
  h5: 'h6',
};

const plugins = [remarkGfm];

interface MarkdownProps {
  source: string;
  onToggleTask?: (offset: number, checked: boolean) => void;
}

export default function Markdown({ source, onToggleTask }: MarkdownProps) {
  const context = useMemo(() => ({ source, onToggleTask }), [source, onToggleTask]);
  return (
    <MarkdownContext value={context}>
      <ReactMarkdown remarkPlugins={plugins} components={components}>
        {source}
      </ReactMarkdown>
    </MarkdownContext>
  );
}
