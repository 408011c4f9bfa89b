import { Link } from 'react-router';
import { paths } from '@/config/paths';

export default function NotFoundRoute() {
  return (
    <main className="auth-page" id="main" tabIndex={-1}>
      <title>Page not found · NoteStack</title>
      <div className="auth-card">
        <h1>Page not found</h1>
        <p>There is nothing at this address. It may have moved, or the link may be mistyped.</p>
        <p>
          <Link to={paths.home}>Go to your notes</Link>
        </p>
      </div>
    </main>
  );
}
