/**
 * The observer's page: one self-contained HTML document (inline CSS and script, no external
 * resource, nothing to build) that opens the server's Server-Sent Events stream and renders each
 * update it receives: the supervision tree as a table and the recent-events feed. It builds the
 * DOM with `textContent` only, so labels and crash reasons are never interpreted as HTML.
 *
 * The script is written without backticks or `${` so that it can live in this template literal.
 *
 * @internal
 */

/** The page, under the given title. */
export const page = (title: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  :root { color-scheme: light dark; --bg: #fbfbfa; --fg: #1d1f21; --dim: #6b7075; --line: #e3e4e6;
    --ok: #1f8a4c; --warn: #b7791f; --bad: #c53030; --card: #ffffff; }
  @media (prefers-color-scheme: dark) { :root { --bg: #15171a; --fg: #e6e6e6; --dim: #8b9096;
    --line: #2a2d31; --ok: #48bb78; --warn: #ecc94b; --bad: #fc8181; --card: #1c1f23; } }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 ui-sans-serif, system-ui, sans-serif; background: var(--bg); color: var(--fg); }
  header { display: flex; flex-wrap: wrap; gap: 18px; align-items: baseline; padding: 12px 18px; border-bottom: 1px solid var(--line); }
  header h1 { font-size: 16px; margin: 0; }
  .stat b { font-variant-numeric: tabular-nums; }
  #conn.live { color: var(--ok); } #conn.down { color: var(--bad); }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 18px; padding: 18px; }
  @media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
  section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
  section h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--dim); margin: 0; padding: 8px 12px; border-bottom: 1px solid var(--line); }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 3px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { font-weight: 600; color: var(--dim); font-size: 12px; }
  td.num, th.num { text-align: right; }
  td.name { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
  .running { color: var(--ok); } .restarting { color: var(--warn); } .not-running { color: var(--dim); }
  .low { color: var(--warn); } .out { color: var(--bad); font-weight: 600; }
  tr.flash td { animation: flash 1.2s ease-out; }
  @keyframes flash { from { background: rgba(236, 201, 75, .35); } to { background: transparent; } }
  #feed { list-style: none; margin: 0; padding: 0; max-height: 70vh; overflow: auto; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
  #feed li { padding: 3px 12px; border-bottom: 1px solid var(--line); }
  #feed time { color: var(--dim); margin-right: 8px; }
  #feed .crash { color: var(--bad); } #feed .restart { color: var(--ok); } #feed .give-up { color: var(--bad); font-weight: 600; }
  #feed .coalesced { color: var(--dim); font-style: italic; }
  #down { padding: 12px; color: var(--bad); }
</style>
</head>
<body data-updates="0" data-seq="0">
<header>
  <h1>${escapeHtml(title)}</h1>
  <span id="conn" class="down">connecting</span>
  <span class="stat">restarts <b id="restarts">0</b></span>
  <span class="stat">crashes <b id="crashes">0</b></span>
  <span class="stat">escalations <b id="escalations">0</b></span>
  <span class="stat">events/s <b id="eventRate">0</b></span>
  <span class="stat">updated <b id="age">never</b></span>
</header>
<main>
  <section>
    <h2>Supervision tree</h2>
    <div id="down" hidden></div>
    <table>
      <thead><tr><th>node</th><th>kind</th><th>status</th><th class="num">incarnation</th><th class="num">restarts in window</th><th class="num">budget</th><th class="num">mailbox</th><th class="num">msg/s</th></tr></thead>
      <tbody id="tree"></tbody>
    </table>
  </section>
  <section>
    <h2>Recent events</h2>
    <ol id="feed"></ol>
  </section>
</main>
<script>
(function () {
  "use strict";
  var body = document.body;
  var tree = document.getElementById("tree");
  var feed = document.getElementById("feed");
  var conn = document.getElementById("conn");
  var down = document.getElementById("down");
  var feedSize = 200;
  var lastAt = 0;
  var lastIncarnation = new Map();
  var updates = 0;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function num(v) { return v === undefined || v === null ? "" : String(v); }
  function kindOf(n) {
    if (n.kind === "worker") return "worker";
    if (n.kind === "dynamic-supervisor") return "dynamic";
    return n.strategy || "supervisor";
  }
  function row(n, depth, out) {
    var tr = el("tr");
    var key = n.path.join("/");
    tr.dataset.path = key;
    tr.dataset.status = n.status;
    if (n.incarnation !== undefined) tr.dataset.incarnation = String(n.incarnation);
    var before = lastIncarnation.get(key);
    if (before !== undefined && n.incarnation !== undefined && n.incarnation !== before) tr.className = "flash";
    if (n.incarnation !== undefined) lastIncarnation.set(key, n.incarnation);
    var name = el("td", null, "name");
    name.style.paddingLeft = (10 + depth * 18) + "px";
    name.textContent = (depth > 0 ? "\\u2514 " : "") + n.id;
    tr.appendChild(name);
    tr.appendChild(el("td", kindOf(n)));
    tr.appendChild(el("td", n.status, n.status));
    tr.appendChild(el("td", n.incarnation === undefined ? "" : "#" + n.incarnation, "num"));
    tr.appendChild(el("td", n.intensity === undefined ? "" : n.restartsInWindow + "/" + n.intensity + " in " + (n.periodMillis / 1000) + "s", "num"));
    var budget = el("td", num(n.remainingBudget), "num");
    if (n.remainingBudget !== undefined) {
      if (n.remainingBudget === 0) budget.className += " out";
      else if (n.remainingBudget <= n.intensity / 3) budget.className += " low";
    }
    tr.appendChild(budget);
    tr.appendChild(el("td", num(n.mailbox), "num"));
    tr.appendChild(el("td", num(n.rate), "num"));
    out.appendChild(tr);
    var children = n.children || [];
    for (var i = 0; i < children.length; i++) row(children[i], depth + 1, out);
    if (n.hiddenChildren) {
      var more = el("tr");
      var cell = el("td", "\\u2026 " + n.hiddenChildren + " more " + (n.hiddenChildren === 1 ? "child" : "children"), "name");
      cell.colSpan = 8;
      cell.style.paddingLeft = (10 + (depth + 1) * 18) + "px";
      more.appendChild(cell);
      out.appendChild(more);
    }
  }
  function time(at) {
    var d = new Date(at);
    return d.toLocaleTimeString(undefined, { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
  }
  function feedItem(e) {
    var li = el("li", null, e.severity);
    li.dataset.tag = e.tag;
    li.dataset.path = e.path;
    li.appendChild(el("time", time(e.at)));
    li.appendChild(document.createTextNode(e.text));
    return li;
  }
  function apply(u, reset) {
    updates++;
    lastAt = Date.now();
    body.dataset.updates = String(updates);
    body.dataset.seq = String(u.seq);
    body.dataset.restarts = String(u.totals.restarts);
    document.getElementById("restarts").textContent = String(u.totals.restarts);
    document.getElementById("crashes").textContent = String(u.totals.crashes);
    document.getElementById("escalations").textContent = String(u.totals.escalations);
    document.getElementById("eventRate").textContent = String(u.totals.eventRate);
    if (u.feedSize) feedSize = u.feedSize;
    if (u.tree) {
      down.hidden = true;
      var frag = document.createDocumentFragment();
      row(u.tree, 0, frag);
      tree.replaceChildren(frag);
    } else {
      down.hidden = false;
      down.textContent = u.treeError || "the supervisor is not running";
      tree.replaceChildren();
    }
    if (reset) feed.replaceChildren();
    var items = document.createDocumentFragment();
    if (u.eventsDropped > 0) items.appendChild(el("li", "\\u2026 " + u.eventsDropped + " more " + (u.eventsDropped === 1 ? "event" : "events") + " (coalesced)", "coalesced"));
    for (var i = 0; i < u.events.length; i++) items.insertBefore(feedItem(u.events[i]), items.firstChild);
    feed.insertBefore(items, feed.firstChild);
    while (feed.childElementCount > feedSize) feed.removeChild(feed.lastElementChild);
  }
  var token = new URLSearchParams(location.search).get("token");
  var source = new EventSource("events" + (token ? "?token=" + encodeURIComponent(token) : ""));
  source.addEventListener("open", function () { conn.textContent = "live"; conn.className = "live"; });
  source.addEventListener("error", function () { conn.textContent = "reconnecting"; conn.className = "down"; });
  source.addEventListener("hello", function (m) { apply(JSON.parse(m.data), true); });
  source.addEventListener("update", function (m) { apply(JSON.parse(m.data), false); });
  setInterval(function () {
    document.getElementById("age").textContent = lastAt === 0 ? "never" : ((Date.now() - lastAt) / 1000).toFixed(1) + "s ago";
  }, 250);
})();
</script>
</body>
</html>
`

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)
