/**
 * The Brook console: a single-page app served by the broker at /ui. Preact renders it; every
 * figure comes from the public admin API.
 */
import { render, type ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, saveCredentials, type Whoami } from './api.js';
import { ErrorBox, Link, usePath } from './components.js';
import { Overview } from './pages/overview.js';
import { Topics } from './pages/topics.js';
import { TopicPage } from './pages/topic.js';
import { Groups } from './pages/groups.js';
import { GroupPage } from './pages/group.js';
import './styles.css';

const NAV = [
  { href: '/ui', label: 'Overview' },
  { href: '/ui/topics', label: 'Topics' },
  { href: '/ui/groups', label: 'Groups' },
  { href: '/ui/playground', label: 'Playground' },
];

function App() {
  const path = usePath();
  const [who, setWho] = useState<Whoami | null>(null);
  const [needLogin, setNeedLogin] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const check = async () => {
    try {
      setWho(await api.get<Whoami>('/api/whoami'));
      setNeedLogin(false);
      setError(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setNeedLogin(true);
      else setError(err as Error);
    }
  };
  useEffect(() => void check(), []);
  // After a move to another page (not on the first load, where the skip link comes first), focus
  // its heading, so keyboard and screen-reader users land on the new page.
  const shownPath = useRef<string | null>(null);
  useEffect(() => {
    if (!who) return;
    const first = shownPath.current === null;
    const moved = shownPath.current !== path;
    shownPath.current = path;
    if (first || !moved) return;
    const h1 = document.querySelector<HTMLElement>('main h1');
    if (!h1) return;
    h1.tabIndex = -1;
    h1.focus({ preventScroll: true });
  }, [path, who]);

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/ui" class="brand">
          Brook
        </Link>
        <nav aria-label="Console">
          <ul>
            {NAV.map((n) => (
              <li>
                <Link href={n.href} aria-current={current(path, n.href) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          {who?.principal && (
            <>
              <span class="muted small">
                {who.principal}
                {who.admin ? ' (admin)' : ' (read only)'}
              </span>
              <button
                type="button"
                class="link"
                onClick={() => {
                  saveCredentials(null);
                  setWho(null);
                  setNeedLogin(true);
                }}
              >
                Sign out
              </button>
            </>
          )}
          <ThemeToggle />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBox error={error} />
        {needLogin ? <Login onDone={check} /> : who ? <Route path={path} who={who} /> : null}
      </main>
    </>
  );
}

function current(path: string, href: string): boolean {
  return href === '/ui' ? path === '/ui' || path === '/ui/' : path === href || path.startsWith(`${href}/`);
}

function Route({ path, who }: { path: string; who: Whoami }) {
  const parts = path.replace(/^\/ui\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const admin = who.admin;
  switch (parts[0]) {
    case undefined:
      return <Overview />;
    case 'topics':
      return parts[1] ? <TopicPage name={parts[1]} key={parts[1]} /> : <Topics admin={admin} />;
    case 'groups':
      return parts[1] ? <GroupPage groupId={parts[1]} admin={admin} key={parts[1]} /> : <Groups />;
    case 'playground':
      return <Lazy load={() => import('./playground/page.js').then((m) => m.Playground)} />;
    default:
      return (
        <section>
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            No page at <code>{path}</code>. <Link href="/ui">Go to the overview</Link>.
          </p>
        </section>
      );
  }
}

/** A page loaded on first visit (the playground carries the whole SDK). */
function Lazy({ load }: { load: () => Promise<ComponentType> }) {
  const [Page, setPage] = useState<ComponentType | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    load().then((p) => setPage(() => p), setError);
  }, []);
  if (error) return <ErrorBox error={error} />;
  return Page ? <Page /> : <p class="muted">Loading…</p>;
}

function Login({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    saveCredentials({ name, secret });
    try {
      await api.get<Whoami>('/api/whoami');
      setError(null);
      onDone();
    } catch (err) {
      saveCredentials(null);
      setError(err instanceof ApiError && err.status === 401 ? new Error('Wrong name or secret.') : (err as Error));
    }
  };
  return (
    <section aria-labelledby="login-title" class="login">
      <h1 id="login-title" tabIndex={-1}>
        Sign in
      </h1>
      <p class="muted">This broker has authentication on. Sign in as one of its principals: you see what its ACLs let it describe.</p>
      <form onSubmit={submit} class="form-grid">
        <label>
          Principal
          <input name="principal" autocomplete="username" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Secret
          <input name="secret" type="password" autocomplete="current-password" required value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </label>
        <div class="actions wide">
          <button type="submit" class="primary">
            Sign in
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
    </section>
  );
}

const THEME_KEY = 'brook.console.theme';

/** Light, dark, or the system's choice (the default). */
function ThemeToggle() {
  const [theme, setTheme] = useState(() => localStorage.getItem(THEME_KEY) ?? 'system');
  useEffect(() => {
    if (theme === 'system') {
      delete document.documentElement.dataset.theme;
      localStorage.removeItem(THEME_KEY);
    } else {
      document.documentElement.dataset.theme = theme;
      localStorage.setItem(THEME_KEY, theme);
    }
  }, [theme]);
  return (
    <label class="theme">
      <span class="visually-hidden">Theme</span>
      <select value={theme} onChange={(e) => setTheme(e.currentTarget.value)}>
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

render(<App />, document.getElementById('app')!);
