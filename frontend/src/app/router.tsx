import { createBrowserRouter } from 'react-router';
import { AppLayout } from '@/app/routes/app-layout';
import { DashboardRoute } from '@/app/routes/dashboard';
import { NotFoundRoute } from '@/app/routes/not-found';
import { SignInRoute } from '@/app/routes/sign-in';
import { SignUpRoute } from '@/app/routes/sign-up';
import { paths } from '@/config/paths';

export function createRouter() {
  return createBrowserRouter([
    { path: paths.signIn, element: <SignInRoute /> },
    { path: paths.signUp, element: <SignUpRoute /> },
    {
      element: <AppLayout />,
      children: [
        { index: true, element: <DashboardRoute /> },
        { path: 'notes', element: <DashboardRoute /> },
      ],
    },
    { path: '*', element: <NotFoundRoute /> },
  ]);
}
