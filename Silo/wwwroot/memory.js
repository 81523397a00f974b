// Memory: a scope's notes, facts and entities with their links, as a graph at a point in time.
"use strict";
(function (AC) {
  const { h, $, clear, setText } = AC;
  const COLORS = { note: "#4f6bed", fact: "#10a37f", entity: "#f08c2e", episode: "#8e6cd8", insight: "#d9477a" };
  const colorOf = (kind) => COLORS[kind] || "#98a2b3";
  const FIELDS = [["team_id", "scope-team"], ["user_id", "scope-user"], ["agent_id", "scope-agent"], ["run_id", "scope-run"]];

  let graph = null;
  let scope = null;          // {team_id: ..., ...}
  let timePoints = [];       // ISO strings, ascending: the moments the scope changed
  let asOf = null;           // ISO or null (now)
  let data = null;           // the graph drawn
  let loadSeq = 0;

  function scopeFromForm() {
    const out = {};
    for (const [name, id] of FIELDS) { const v = $(id).value.trim(); if (v) out[name] = v; }
    return out;
  }

  function hashFor(sc, at) { return "#/memory" + AC.query({ ...sc, as_of: at || "" }); }

  function labelOf(m) {
    return m.kind === "entity" ? m.content : m.content.replace(/\s+/g, " ");
  }

  /** A fact or note drawn from another memory of the graph (its sources name it): a "source" line. */
  function sourceLinks(nodes) {
    const ids = new Set(nodes.map((n) => n.id));
    const out = [];
    for (const m of nodes) for (const src of m.sources || []) if (src !== m.id && ids.has(src)) out.push({ id: m.id + ">" + src, from: m.id, to: src, type: "source" });
    return out;
  }

  function collectTimes(records, links) {
    const set = new Set();
    // A point is 1 ms after a change (times carry microseconds; the browser's Date has milliseconds),
    // so the graph at a point shows that change made.
    const add = (t) => { if (t) { const d = new Date(t); if (!isNaN(d)) set.add(d.getTime() + 1); } };
    for (const m of records) { add(m.valid_at || m.observed_at); add(m.invalid_at); add(m.expired_at); }
    for (const l of links) { add(l.valid_at); add(l.invalid_at); }
    return [...set].sort((a, b) => a - b).map((ms) => new Date(ms).toISOString());
  }

  function setSlider() {
    const slider = $("asof-slider");
    slider.max = String(timePoints.length);   // the last position is "now"
    let index = timePoints.length;
    if (asOf) {
      const t = new Date(asOf).getTime();
      index = 0;
      for (let i = 0; i < timePoints.length; i++) if (new Date(timePoints[i]).getTime() <= t) index = i;
    }
    slider.value = String(index);
    slider.disabled = timePoints.length === 0;
  }

  function toLocalInput(iso) {
    const d = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  function renderLegend(nodes, links) {
    const legend = clear($("legend"));
    const kinds = new Map();
    for (const n of nodes) kinds.set(n.kind, (kinds.get(n.kind) || 0) + 1);
    for (const kind of ["note", "fact", "entity", ...[...kinds.keys()].filter((k) => !["note", "fact", "entity"].includes(k))]) {
      legend.appendChild(h("span", { class: "legend-item", "data-kind": kind },
        h("span", { class: "swatch swatch-" + kind }), (kind === "entity" ? "entities" : kind + "s") + " ", h("strong", {}, String(kinds.get(kind) || 0))));
    }
    const types = new Map();
    for (const l of links) types.set(l.type, (types.get(l.type) || 0) + 1);
    legend.appendChild(h("span", { class: "legend-item muted", title: [...types].map(([t, c]) => t + ": " + c).join("\n") },
      h("span", { class: "swatch swatch-link" }), "links ", h("strong", {}, String(links.length))));
    legend.appendChild(h("span", { class: "legend-item muted", title: "a fact or note drawn from another memory (its sources)" },
      h("span", { class: "swatch swatch-source" }), "drawn from"));
  }

  function showNode(id) {
    const m = id && data ? data.nodes.find((n) => n.id === id) : null;
    $("node-placeholder").hidden = !!m;
    $("node-detail").hidden = !m;
    if (!m) return;
    const kind = $("node-kind");
    kind.textContent = m.kind;
    kind.className = "kind-chip kind-" + m.kind;
    setText("node-content", m.content);
    const facts = clear($("node-facts"));
    const row = (label, value, cls) => { if (value) facts.appendChild(h("div", {}, h("dt", {}, label), h("dd", { class: cls || "" }, value))); };
    row("Valid from", AC.fmtTime(m.valid_at || m.observed_at));
    row("Invalid from", AC.fmtTime(m.invalid_at));
    row("Expired", AC.fmtTime(m.expired_at));
    row("Stored", AC.fmtTime(m.created_at));
    row("Version", String(m.version));
    row("Keywords", (m.keywords || []).join(", "));
    row("Tags", (m.tags || []).join(", "));
    row("Context", m.context);
    row("Scope", ["team_id", "user_id", "agent_id", "run_id"].filter((k) => m[k]).map((k) => k + "=" + m[k]).join(" "));
    row("Id", m.id, "mono small");
    const ul = clear($("node-links"));
    const byId = new Map(data.nodes.map((n) => [n.id, n]));
    const mine = data.links.concat(sourceLinks(data.nodes)).filter((l) => l.from === id || l.to === id);
    for (const l of mine.slice(0, 60)) {
      const other = byId.get(l.from === id ? l.to : l.from);
      if (!other) continue;
      const a = h("a", { href: "#", class: "node-link" }, AC.truncate(labelOf(other), 80));
      a.addEventListener("click", (e) => { e.preventDefault(); graph.select(other.id); });
      ul.appendChild(h("li", {}, h("span", { class: "link-type" }, (l.from === id ? "→ " : "← ") + l.type), " ",
        h("span", { class: "kind-dot", title: other.kind, "data-kind": other.kind }), a, l.fact ? h("div", { class: "muted small" }, l.fact) : null));
    }
    if (!mine.length) ul.appendChild(h("li", { class: "muted" }, "none"));
  }

  async function load(sc, at, refreshTimes) {
    const seq = ++loadSeq;
    const empty = $("graph-empty");
    if (!Object.keys(sc).length) {
      empty.hidden = false;
      empty.textContent = "Name a scope: a team_id, user_id, agent_id or run_id.";
      return;
    }
    $("load-graph").disabled = true;
    try {
      const base = "/api/v1/memories";
      const [g, all] = await Promise.all([
        AC.get(base + "/graph" + AC.query({ ...sc, as_of: at || "", limit: 500 })),
        refreshTimes ? AC.get(base + AC.query({ ...sc, include_expired: "true", limit: 1000 })) : Promise.resolve(null),
      ]);
      if (seq !== loadSeq) return;
      if (all) timePoints = collectTimes(all.results, g.links);
      else timePoints = collectTimes([], g.links).concat(timePoints).filter((t, i, a) => a.indexOf(t) === i).sort();
      data = g;
      asOf = at || null;
      setSlider();
      $("asof-input").value = at ? toLocalInput(at) : "";
      setText("asof-text", (at ? AC.fmtTime(at) : "now") + " · " + g.nodes.length + " nodes, " + g.links.length + " links" + (g.truncated ? " (newest 500)" : ""));
      const drawn = graph.setData(g.nodes.map((m) => ({ id: m.id, kind: m.kind, label: labelOf(m), title: m.kind + ": " + m.content })),
        g.links.map((l) => ({ id: l.id, from: l.from, to: l.to, type: l.type, fact: l.fact })).concat(sourceLinks(g.nodes)));
      $("graph").dataset.nodes = String(drawn.nodes);
      $("graph").dataset.asOf = at || "";
      renderLegend(g.nodes, g.links);
      empty.hidden = g.nodes.length > 0;
      empty.textContent = at ? "Nothing in this scope as of " + AC.fmtTime(at) + "." : "This scope holds no notes, facts or entities yet.";
      if (graph.selected && !g.nodes.some((n) => n.id === graph.selected)) graph.select(null);
      else showNode(graph.selected);
    } catch (e) {
      if (seq !== loadSeq) return;
      empty.hidden = false;
      empty.textContent = e.message;
    } finally {
      if (seq === loadSeq) $("load-graph").disabled = false;
    }
  }

  function go(at) {
    const target = hashFor(scope, at);
    if (location.hash !== target) location.hash = target; else load(scope, at, false);
  }

  AC.memory = {
    init() {
      graph = new AC.Graph($("graph"), { onSelect: showNode, colorOf });
      $("scope-form").addEventListener("submit", (e) => {
        e.preventDefault();
        scope = scopeFromForm();
        graph.forget();
        const target = hashFor(scope, null);
        if (location.hash !== target) location.hash = target; else load(scope, null, true);
      });
      $("asof-slider").addEventListener("input", (e) => {
        if (!scope) return;
        const i = Number(e.target.value);
        const at = i >= timePoints.length ? null : timePoints[i];
        setText("asof-text", at ? AC.fmtTime(at) : "now");
      });
      $("asof-slider").addEventListener("change", (e) => {
        if (!scope) return;
        const i = Number(e.target.value);
        go(i >= timePoints.length ? null : timePoints[i]);
      });
      $("asof-input").addEventListener("change", (e) => {
        if (!scope || !e.target.value) return;
        const d = new Date(e.target.value);
        if (!isNaN(d)) go(d.toISOString());
      });
      $("asof-now").addEventListener("click", () => { if (scope) go(null); });
      $("graph-filter").addEventListener("input", (e) => graph.setFilter(e.target.value));
    },
    show(params) {
      const sc = {};
      for (const [name, id] of FIELDS) { const v = params.get(name) || ""; $(id).value = v; if (v) sc[name] = v; }
      const at = params.get("as_of") || null;
      if (!Object.keys(sc).length) {
        if (!data) { $("graph-empty").hidden = false; $("graph-empty").textContent = "Name a scope above (a team_id, user_id, agent_id or run_id) to draw its memory."; }
        return;
      }
      const sameScope = scope && JSON.stringify(scope) === JSON.stringify(sc);
      if (!sameScope) graph.forget();
      scope = sc;
      load(sc, at, !sameScope);
    },
    reset() { scope = null; data = null; timePoints = []; if (graph) graph.setData([], []); },
  };
})(window.AC);
