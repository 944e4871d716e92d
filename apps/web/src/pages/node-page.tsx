/**
 * One node: identity, status, ingest counters, heartbeat charts (CPU, temperature, sample drops,
 * spool depth, clock offset) and, for operators, its groups, tags and name.
 */
import { useState } from 'react';
import { api, type Node } from '../api/client.ts';
import { canOperate, type Session } from '../api/session.ts';
import { ago, describeError, ErrorBox, Link, Loading, StatusDot, useAsync } from '../ui/common.tsx';
import { LineChart } from '../ui/line-chart.tsx';

function splitLabels(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

function EditNode(props: { node: Node; saved: () => void }) {
  const { node } = props;
  const [name, setName] = useState(node.name);
  const [groups, setGroups] = useState(node.groups.join(', '));
  const [tags, setTags] = useState(node.tags.join(', '));
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | undefined>();
  async function save() {
    try {
      await api.patch('/api/v1/nodes/{id}', {
        params: { id: node.id },
        body: { name, groups: splitLabels(groups), tags: splitLabels(tags) },
      });
      setMsg({ ok: true, text: 'Saved.' });
      props.saved();
    } catch (e) {
      setMsg({ ok: false, text: describeError(e) });
    }
  }
  return (
    <form
      className="panel form-row"
      aria-label="edit node"
      data-testid="edit-node"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Groups
        <input value={groups} onChange={(e) => setGroups(e.target.value)} placeholder="e.g. north, vhf" />
      </label>
      <label>
        Tags
        <input value={tags} onChange={(e) => setTags(e.target.value)} />
      </label>
      <button type="submit" className="primary">
        Save
      </button>
      {msg && <span className={msg.ok ? 'ok' : 'error'}>{msg.text}</span>}
    </form>
  );
}

export function NodePage(props: { nodeId: string; session: Session }) {
  const { nodeId } = props;
  const [node, reload] = useAsync(
    (signal) => api.get('/api/v1/nodes/{id}', { params: { id: nodeId }, signal }),
    [nodeId],
  );
  const [hbs] = useAsync(
    (signal) =>
      api.get('/api/v1/nodes/{id}/heartbeats', { params: { id: nodeId }, query: { limit: 200 }, signal }),
    [nodeId],
  );
  if (node.state === 'loading') return <Loading what="the node" />;
  if (node.state === 'error') return <ErrorBox error={node.error} retry={reload} />;
  const n = node.value;
  const items = hbs.state === 'ok' ? [...hbs.value.items].reverse() : [];
  const series = (f: (h: (typeof items)[number]) => number | null | undefined) =>
    items.map((h) => ({ t: Date.parse(h.time), v: f(h) ?? NaN }));
  const latest = items[items.length - 1];
  return (
    <section aria-label="node">
      <div className="page-head">
        <h1>
          {n.name} <StatusDot status={n.status} /> <span className="muted">{n.status}</span>
        </h1>
        <Link to={`/live/${n.id}`}>Live</Link>
        <Link to={`/history/${n.id}`}>History</Link>
        <Link to={`/detections?node=${n.id}`}>Detections</Link>
      </div>
      <dl className="facts">
        <dt>id</dt>
        <dd>
          <code>{n.id}</code>
        </dd>
        <dt>location</dt>
        <dd>{n.location ? `${n.location.lat.toFixed(4)}, ${n.location.lon.toFixed(4)}` : 'unknown'}</dd>
        <dt>last heartbeat</dt>
        <dd>{ago(n.last_heartbeat_at)}</dd>
        <dt>frames received</dt>
        <dd>
          {n.ingest.frames_received} ({n.ingest.duplicates} duplicates, {n.ingest.sequence_gaps} gaps)
        </dd>
        <dt>clock</dt>
        <dd>
          {latest
            ? `${latest.clock_source}${latest.clock_offset_ms === null || latest.clock_offset_ms === undefined ? '' : `, ${latest.clock_offset_ms.toFixed(1)} ms offset`}`
            : '—'}
        </dd>
        <dt>receiver</dt>
        <dd>
          {latest?.receiver_state ?? '—'} {latest?.receiver_message ?? ''}
        </dd>
        <dt>groups</dt>
        <dd>{n.groups.join(', ') || '—'}</dd>
        <dt>tags</dt>
        <dd>{n.tags.join(', ') || '—'}</dd>
      </dl>
      {canOperate(props.session) && <EditNode key={n.id} node={n} saved={reload} />}
      <h2>Health</h2>
      {hbs.state === 'error' && <ErrorBox error={hbs.error} />}
      {hbs.state === 'ok' && items.length === 0 && <div className="empty">No heartbeats yet.</div>}
      {items.length > 0 && (
        <div className="charts">
          <LineChart title="CPU" unit="%" points={series((h) => h.cpu_percent)} />
          <LineChart title="Temperature" unit="°C" points={series((h) => h.temperature_c)} />
          <LineChart title="Sample drops" unit="per heartbeat" points={series((h) => h.sample_drops)} />
          <LineChart title="Spool" unit="frames" points={series((h) => h.spool_frames)} />
          <LineChart title="Clock offset" unit="ms" points={series((h) => h.clock_offset_ms)} />
        </div>
      )}
    </section>
  );
}
