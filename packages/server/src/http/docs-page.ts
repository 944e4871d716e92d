/**
 * `/docs`: a self-contained page that fetches `/openapi.json` and lists every operation with its
 * role, parameters, body and response schemas. No CDN, no framework: the server works offline.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Heimdall API</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; color: #1c2024; }
  h1 { margin-bottom: 0; } h2 { border-bottom: 1px solid #ddd; margin-top: 2rem; }
  details { border: 1px solid #e3e5e8; border-radius: 6px; margin: .5rem 0; padding: .4rem .7rem; }
  summary { cursor: pointer; } code, pre { font: 13px ui-monospace, monospace; }
  pre { background: #f5f6f7; padding: .6rem; overflow-x: auto; border-radius: 4px; }
  .m { display: inline-block; min-width: 4.2rem; font-weight: 600; }
  .GET { color: #1a7f37; } .POST { color: #0550ae; } .PATCH, .PUT { color: #9a6700; } .DELETE { color: #cf222e; }
  .role { float: right; color: #57606a; font-size: 13px; }
  table { border-collapse: collapse; } td, th { text-align: left; padding: .15rem .6rem .15rem 0; vertical-align: top; }
</style>
</head>
<body>
<h1>Heimdall API</h1>
<p id="about">Loading <a href="/openapi.json">/openapi.json</a>...</p>
<div id="ops"></div>
<script>
(async () => {
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const k of kids) e.append(k);
    return e;
  };
  const pre = (v) => el('pre', {}, JSON.stringify(v, null, 2));
  const spec = await (await fetch('/openapi.json')).json();
  document.getElementById('about').textContent = spec.info.description + ' Version ' + spec.info.version + '. Send Authorization: Bearer <token>.';
  const byTag = new Map();
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method: method.toUpperCase(), op });
    }
  }
  const root = document.getElementById('ops');
  for (const [tag, ops] of byTag) {
    root.append(el('h2', {}, tag));
    for (const { path, method, op } of ops) {
      const d = el('details', {}, el('summary', {}, el('span', { class: 'm ' + method }, method), ' ', el('code', {}, path), ' ', op.summary || '', el('span', { class: 'role' }, op['x-role'] || '')));
      d.append(el('p', {}, op.description || ''));
      if (op.parameters && op.parameters.length) {
        const t = el('table', {}, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'in'), el('th', {}, 'required'), el('th', {}, 'schema')));
        for (const p of op.parameters) t.append(el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', {}, p.in), el('td', {}, p.required ? 'yes' : 'no'), el('td', {}, el('code', {}, JSON.stringify(p.schema)))));
        d.append(t);
      }
      if (op.requestBody) for (const [type, c] of Object.entries(op.requestBody.content)) d.append(el('p', {}, 'Body (' + type + '):'), pre(c.schema));
      for (const [status, r] of Object.entries(op.responses)) {
        const c = r.content && Object.entries(r.content)[0];
        d.append(el('p', {}, status + ': ' + r.description));
        if (c && status < '300') d.append(pre(c[1].schema));
      }
      root.append(d);
    }
  }
})().catch((e) => { document.getElementById('about').textContent = 'Cannot load the API description: ' + e; });
</script>
</body>
</html>
`;
