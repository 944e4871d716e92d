/**
 * The fleet: every node with its status and latest health (CPU, temperature, sample drops, spool,
 * clock source from its newest heartbeat), filterable by group or tag; operators create
 * enrollment tokens here (shown once, with the command to run on the new node).
 */
import { useState } from 'react';
import { api, type Heartbeat, type Node } from '../api/client.ts';
import { canOperate, type Session } from '../api/session.ts';
import { ago, describeError, ErrorBox, Link, Loading, StatusDot, useAsync } from '../ui/common.tsx';

async function withHealth(
  signal: AbortSignal,
  group: string,
): Promise<{ node: Node; hb: Heartbeat | undefined }[]> {
  const page = await api.get('/api/v1/nodes', { query: { limit: 1000, group: group || undefined }, signal });
  return Promise.all(
    page.items.map(async (node) => {
      const hbs = await api.get('/api/v1/nodes/{id}/heartbeats', {
        params: { id: node.id },
        query: { limit: 1 },
        signal,
      });
      return { node, hb: hbs.items[0] };
    }),
  );
}

export function EnrollPanel() {
  const [name, setName] = useState('');
  const [groups, setGroups] = useState('');
  const [token, setToken] = useState<{ token: string; expires_at: string } | undefined>();
  const [error, setError] = useState<string | undefined>();
  async function create() {
    setError(undefined);
    try {
      const list = groups
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      setToken(
        await api.post('/api/v1/enrollment-tokens', {
          body: { ...(name ? { node_name: name } : {}), ...(list.length ? { groups: list } : {}) },
        }),
      );
    } catch (e) {
      setError(describeError(e));
    }
  }
  return (
    <details className="panel" data-testid="enroll-panel">
      <summary>Enroll a new node</summary>
      <div className="form-row">
        <label>
          Node name (optional)
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Groups (comma-separated)
          <input value={groups} onChange={(e) => setGroups(e.target.value)} />
        </label>
        <button type="button" className="primary" onClick={() => void create()}>
          Create enrollment token
        </button>
      </div>
      {error && <div className="error">{error}</div>}
      {token && (
        <div className="token" role="status">
          <p>
            Run this on the new node (the token works once and is shown only now; it expires{' '}
            {new Date(token.expires_at).toLocaleString()}):
          </p>
          <pre data-testid="enroll-command">
            heimdall agent --server {location.origin} --enroll {token.token}
          </pre>
        </div>
      )}
    </details>
  );
}

export function FleetPage(props: { session: Session }) {
  const [group, setGroup] = useState('');
  const [rows, reload] = useAsync((signal) => withHealth(signal, group), [group]);
  const groups = rows.state === 'ok' ? [...new Set(rows.value.flatMap((r) => r.node.groups))].sort() : [];
  return (
    <section aria-label="fleet">
      <div className="page-head">
        <h1>Fleet</h1>
        <label>
          Group
          <input value={group} onChange={(e) => setGroup(e.target.value)} placeholder="all" list="groups" />
          <datalist id="groups">
            {groups.map((g) => (
              <option key={g} value={g} />
            ))}
          </datalist>
        </label>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      {canOperate(props.session) && <EnrollPanel />}
      {rows.state === 'loading' && <Loading what="nodes" />}
      {rows.state === 'error' && <ErrorBox error={rows.error} retry={reload} />}
      {rows.state === 'ok' && rows.value.length === 0 && (
        <div className="empty">No nodes yet{canOperate(props.session) ? ': enroll one above.' : '.'}</div>
      )}
      {rows.state === 'ok' && rows.value.length > 0 && (
        <table data-testid="fleet-table">
          <thead>
            <tr>
              <th>node</th>
              <th>status</th>
              <th>last heartbeat</th>
              <th>CPU</th>
              <th>temp.</th>
              <th>sample drops</th>
              <th>spool</th>
              <th>clock</th>
              <th>groups / tags</th>
              <th>frames</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.value.map(({ node, hb }) => (
              <tr key={node.id}>
                <td>
                  <Link to={`/fleet/${node.id}`}>{node.name}</Link>
                </td>
                <td>
                  <StatusDot status={node.status} /> {node.status}
                </td>
                <td title={node.last_heartbeat_at ?? ''}>{ago(node.last_heartbeat_at)}</td>
                <td>
                  {hb?.cpu_percent === null || hb?.cpu_percent === undefined
                    ? '—'
                    : `${hb.cpu_percent.toFixed(0)} %`}
                </td>
                <td>
                  {hb?.temperature_c === null || hb?.temperature_c === undefined
                    ? '—'
                    : `${hb.temperature_c.toFixed(0)} °C`}
                </td>
                <td>{hb ? hb.sample_drops : '—'}</td>
                <td>{hb?.spool_frames === null || hb?.spool_frames === undefined ? '—' : hb.spool_frames}</td>
                <td>{hb ? hb.clock_source : '—'}</td>
                <td>
                  {node.groups.map((g) => (
                    <span key={g} className="chip">
                      {g}
                    </span>
                  ))}
                  {node.tags.map((t) => (
                    <span key={t} className="chip tag">
                      {t}
                    </span>
                  ))}
                </td>
                <td>{node.ingest.frames_received}</td>
                <td>
                  <Link to={`/live/${node.id}`}>live</Link> · <Link to={`/history/${node.id}`}>history</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
