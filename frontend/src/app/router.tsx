import { lazy, Suspense, type ComponentType } from 'react';
import { Route, Routes } from 'react-router';
import { AppLayout } from '@/app/routes/app-layout';
import { useUnauthorizedHandler } from '@/app/session';
import { FullPageLoading } from '@/components/ui/spinner';
import { paths } from '@/config/paths';

/** A route whose code is loaded on demand, and can be asked for ahead of time. */
function lazyRoute(load: () => Promise<{ default: ComponentType }>) {
  return { Component: lazy(load), preload: load };
}

const routes = {
  dashboard: lazyRoute(() => import('@/app/routes/dashboard')),
  note: lazyRoute(() => import('@/app/routes/note')),
  noteHistory: lazyRoute(() => import('@/app/routes/note-history')),
  trash: lazyRoute(() => import('@/app/routes/trash')),
  signIn: lazyRoute(() => import('@/app/routes/sign-in')),
  signUp: lazyRoute(() => import('@/app/routes/sign-up')),
  notFound: lazyRoute(() => import('@/app/routes/not-found')),
};

/** Start loading the first page's code at once, beside the session check. */
function preloadFor(pathname: string): void {
  if (pathname === paths.signIn) void routes.signIn.preload();
  else if (pathname === paths.signUp) void routes.signUp.preload();
  else if (pathname === paths.trash) void routes.trash.preload();
  else if (/^\/notes\/[^/]+\/history$/.test(pathname)) void routes.noteHistory.preload();
  else if (pathname.startsWith(`${paths.notes}/`)) void routes.note.preload();
  else void routes.dashboard.preload();
}
preloadFor(window.location.pathname);

const Dashboard = routes.dashboard.Component;
const Note = routes.note.Component;
const NoteHistory = routes.noteHistory.Component;
const Trash = routes.trash.Component;
const SignIn = routes.signIn.Component;
const SignUp = routes.signUp.Component;
const NotFound = routes.notFound.Component;

export function AppRoutes() {
  useUnauthorizedHandler();
  return (
    <Suspense fallback={<FullPageLoading />}>
      <Routes>
        <Route path={paths.signIn} element={<SignIn />} />
        <Route path={paths.signUp} element={<SignUp />} />
        <Route element={<AppLayout />}>
          <Route index element={<Dashboard />} />
          <Route path={paths.notes} element={<Dashboard />} />
          <Route path={paths.note} element={<Note />} />
          <Route path={paths.noteHistory} element={<NoteHistory />} />
          <Route path={paths.trash} element={<Trash />} />
        </Route>
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}
