import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { AppProvider } from '@/app/provider';
import { createRouter } from '@/app/router';

export function App() {
  const [router] = useState(createRouter);
  const [navigate] = useState(() => (to: string) => void router.navigate(to, { replace: true }));
  return (
    <AppProvider navigate={navigate}>
      <RouterProvider router={router} />
    </AppProvider>
  );
}
