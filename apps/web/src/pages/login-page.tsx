/** Sign-in with a server user; the role comes from `/api/v1/auth/me`. */
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { isRole, jwtClaims, setSession } from '../api/session.ts';
import { describeError } from '../ui/common.tsx';
import { navigate } from '../ui/router.ts';

export function LoginPage(props: { next: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const t = await api.post('/api/v1/auth/login', { body: { username, password }, anonymous: true });
      const claims = jwtClaims(t.access_token);
      const role = claims['role'];
      if (!isRole(role)) throw new Error('the server answered a token without a user role');
      setSession({
        token: t.access_token,
        username: typeof claims['name'] === 'string' ? claims['name'] : username,
        role,
        expiresAt: Date.now() + t.expires_in * 1000,
      });
      navigate(props.next.startsWith('/') && !props.next.startsWith('/login') ? props.next : '/map', true);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="login">
      <form onSubmit={(e) => void submit(e)} aria-label="sign in">
        <h1>Heimdall</h1>
        <p className="muted">Spectrum monitoring network</p>
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            autoFocus
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
