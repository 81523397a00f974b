// A small force-directed graph in SVG: nodes keep their places across redraws (time travel moves
// little), pan with a drag, zoom with the wheel, drag a node, click to select.
"use strict";
(function (AC) {
  const { s, clear } = AC;

  /** A number in [0, 1) from a string: the same node starts at the same place every time. */
  function hash01(text) {
    let x = 2166136261;
    for (let i = 0; i < text.length; i++) { x ^= text.charCodeAt(i); x = Math.imul(x, 16777619); }
    return ((x >>> 0) % 100000) / 100000;
  }

  /**
   * Lays out nodes ({id}) joined by links ({from, to}) with springs, repulsion and a pull to the
   * centre (Fruchterman–Reingold with cooling). Known positions are the start, so a graph that
   * changes a little keeps its shape.
   */
  function layout(nodes, links, known, iterations) {
    const n = nodes.length;
    const index = new Map(nodes.map((node, i) => [node.id, i]));
    const edges = links.map((l) => [index.get(l.from), index.get(l.to)]).filter(([a, b]) => a !== undefined && b !== undefined && a !== b);
    const k = 60;                      // ideal edge length
    const x = new Float64Array(n), y = new Float64Array(n);
    const neighbours = nodes.map(() => []);
    for (const [a, b] of edges) { neighbours[a].push(b); neighbours[b].push(a); }
    const placed = new Uint8Array(n);
    nodes.forEach((node, i) => {
      const p = known.get(node.id);
      if (p) { x[i] = p.x; y[i] = p.y; placed[i] = 1; }
    });
    const radius = k * Math.sqrt(n + 1);
    const cutoff2 = (5 * k) * (5 * k);
    nodes.forEach((node, i) => {
      if (placed[i]) return;
      const anchor = neighbours[i].find((j) => placed[j]);
      const angle = 2 * Math.PI * hash01(node.id);
      if (anchor !== undefined) {   // next to a neighbour already drawn
        x[i] = x[anchor] + Math.cos(angle) * k * 0.6;
        y[i] = y[anchor] + Math.sin(angle) * k * 0.6;
      } else {
        const r = radius * Math.sqrt(hash01(node.id + "r"));
        x[i] = Math.cos(angle) * r;
        y[i] = Math.sin(angle) * r;
      }
    });
    const dx = new Float64Array(n), dy = new Float64Array(n);
    let temperature = known.size ? k * 0.8 : radius * 0.5;
    const cooling = Math.pow(0.02, 1 / Math.max(1, iterations));
    for (let it = 0; it < iterations; it++) {
      dx.fill(0); dy.fill(0);
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          let ex = x[i] - x[j], ey = y[i] - y[j];
          let d2 = ex * ex + ey * ey;
          if (d2 < 0.01) { ex = hash01(i + ":" + j) - 0.5; ey = hash01(j + ":" + i) - 0.5; d2 = 0.5; }
          if (d2 > cutoff2) continue;   // far nodes do not push: islands stay near
          const f = (k * k) / d2;
          dx[i] += ex * f; dy[i] += ey * f;
          dx[j] -= ex * f; dy[j] -= ey * f;
        }
      }
      for (const [a, b] of edges) {
        const ex = x[a] - x[b], ey = y[a] - y[b];
        const d = Math.sqrt(ex * ex + ey * ey) || 0.01;
        const f = d / k;
        dx[a] -= ex * f; dy[a] -= ey * f;
        dx[b] += ex * f; dy[b] += ey * f;
      }
      for (let i = 0; i < n; i++) {
        dx[i] -= x[i] * 0.06; dy[i] -= y[i] * 0.06;   // gravity keeps islands near
        const d = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) || 1;
        const step = Math.min(d, temperature);
        x[i] += (dx[i] / d) * step;
        y[i] += (dy[i] / d) * step;
      }
      temperature *= cooling;
    }
    const out = new Map();
    nodes.forEach((node, i) => out.set(node.id, { x: x[i], y: y[i] }));
    return out;
  }

  class Graph {
    /** svg: the element; options.onSelect(id or null); options.colorOf(kind); options.labelOf(node). */
    constructor(svg, options) {
      this.svg = svg;
      this.options = options;
      this.positions = new Map();
      this.view = { x: -300, y: -200, w: 600, h: 400 };
      this.selected = null;
      this.filter = "";
      this.nodes = [];
      this.links = [];
      this.elements = new Map();   // id -> {g, lines: []}
      this.root = s("g", { class: "viewport" });
      svg.appendChild(this.root);
      this.bindPanZoom();
    }

    /** Draws nodes ({id, kind, label, title}) and links ({id, from, to, type}); returns the counts drawn. */
    setData(nodes, links) {
      const ids = new Set(nodes.map((n) => n.id));
      this.nodes = nodes;
      this.links = links.filter((l) => ids.has(l.from) && ids.has(l.to) && l.from !== l.to);
      const known = new Map([...this.positions].filter(([id]) => ids.has(id)));
      const fresh = known.size === 0;
      const iterations = fresh ? 300 : 80;
      this.positions = new Map([...this.positions, ...layout(nodes, this.links, known, iterations)]);
      this.render();
      if (fresh || !this.userMoved) this.fit();   // keep the user's own pan and zoom
      return { nodes: nodes.length, links: this.links.length };
    }

    render() {
      clear(this.root);
      this.elements = new Map();
      const degree = new Map();
      for (const l of this.links) { degree.set(l.from, (degree.get(l.from) || 0) + 1); degree.set(l.to, (degree.get(l.to) || 0) + 1); }
      const linkLayer = s("g", { class: "links" });
      const nodeLayer = s("g", { class: "nodes" });
      this.root.append(linkLayer, nodeLayer);
      for (const node of this.nodes) this.elements.set(node.id, { g: null, lines: [] });
      for (const l of this.links) {
        const a = this.positions.get(l.from), b = this.positions.get(l.to);
        const line = s("line", { class: "link link-" + l.type.replace(/[^a-z0-9_-]/gi, ""), x1: a.x, y1: a.y, x2: b.x, y2: b.y, "data-from": l.from, "data-to": l.to });
        line.appendChild(s("title", {}, l.type + (l.fact ? ": " + l.fact : "")));
        linkLayer.appendChild(line);
        this.elements.get(l.from).lines.push({ line, end: 1 });
        this.elements.get(l.to).lines.push({ line, end: 2 });
      }
      const showLabels = this.nodes.length <= 80;
      for (const node of this.nodes) {
        const p = this.positions.get(node.id);
        const r = 5 + Math.min(7, Math.sqrt(degree.get(node.id) || 0) * 1.6);
        const g = s("g", { class: "node kind-" + node.kind, transform: `translate(${p.x},${p.y})`, "data-id": node.id, "data-kind": node.kind, tabindex: "0", role: "button", "aria-label": node.kind + ": " + node.label });
        g.appendChild(s("circle", { r, fill: this.options.colorOf(node.kind) }));
        if (showLabels || node.kind === "entity") g.appendChild(s("text", { x: r + 3, y: 4, class: "label" }, AC.truncate(node.label, node.kind === "entity" ? 24 : 30)));
        g.appendChild(s("title", {}, node.title));
        g.addEventListener("click", (e) => { e.stopPropagation(); if (!this.dragged) this.select(node.id); });
        g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); this.select(node.id); } });
        g.addEventListener("pointerdown", (e) => this.startNodeDrag(e, node.id));
        nodeLayer.appendChild(g);
        this.elements.get(node.id).g = g;
      }
      this.applyHighlight();
    }

    /** Forgets the places of nodes: the next graph is laid out afresh and fitted. */
    forget() { this.positions = new Map(); this.selected = null; this.userMoved = false; }

    select(id) {
      this.selected = id && this.elements.has(id) ? id : null;
      this.applyHighlight();
      this.options.onSelect(this.selected);
    }

    setFilter(text) {
      this.filter = (text || "").trim().toLowerCase();
      this.applyHighlight();
    }

    applyHighlight() {
      const near = new Set();
      if (this.selected) {
        near.add(this.selected);
        for (const l of this.links) {
          if (l.from === this.selected) near.add(l.to);
          if (l.to === this.selected) near.add(l.from);
        }
      }
      for (const node of this.nodes) {
        const el = this.elements.get(node.id);
        if (!el || !el.g) continue;
        const match = this.filter && (node.label + " " + node.title).toLowerCase().includes(this.filter);
        el.g.classList.toggle("selected", node.id === this.selected);
        el.g.classList.toggle("match", !!match);
        el.g.classList.toggle("dim", (this.selected && !near.has(node.id)) || (!!this.filter && !match && !near.has(node.id)));
      }
      for (const line of this.root.querySelectorAll("line.link")) {
        const on = this.selected && (line.dataset.from === this.selected || line.dataset.to === this.selected);
        line.classList.toggle("active", !!on);
        line.classList.toggle("dim", !!(this.selected || this.filter) && !on);
      }
    }

    fit() {
      if (!this.nodes.length) { this.setView({ x: -300, y: -200, w: 600, h: 400 }); return; }
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (const node of this.nodes) {
        const p = this.positions.get(node.id);
        minX = Math.min(minX, p.x); maxX = Math.max(maxX, p.x);
        minY = Math.min(minY, p.y); maxY = Math.max(maxY, p.y);
      }
      const pad = 60;
      const box = this.svg.getBoundingClientRect();
      const aspect = box.width > 0 && box.height > 0 ? box.width / box.height : 1.5;
      let w = maxX - minX + 2 * pad + 120, hgt = maxY - minY + 2 * pad;
      if (w / hgt < aspect) w = hgt * aspect; else hgt = w / aspect;
      if (w < 900) { hgt *= 900 / w; w = 900; }   // a small graph is not blown up
      this.setView({ x: (minX + maxX) / 2 - w / 2 + 40, y: (minY + maxY) / 2 - hgt / 2, w, h: hgt });
    }

    setView(v) {
      this.view = v;
      this.svg.setAttribute("viewBox", `${v.x} ${v.y} ${v.w} ${v.h}`);
    }

    toGraph(e) {
      const box = this.svg.getBoundingClientRect();
      const scale = Math.max(this.view.w / box.width, this.view.h / box.height);
      const ox = this.view.x + (this.view.w - box.width * scale) / 2;
      const oy = this.view.y + (this.view.h - box.height * scale) / 2;
      return { x: ox + (e.clientX - box.left) * scale, y: oy + (e.clientY - box.top) * scale, scale };
    }

    bindPanZoom() {
      const svg = this.svg;
      svg.addEventListener("wheel", (e) => {
        e.preventDefault();
        const p = this.toGraph(e);
        const f = Math.exp(Math.sign(e.deltaY) * 0.12);
        this.userMoved = true;
        const v = this.view;
        this.setView({ x: p.x - (p.x - v.x) * f, y: p.y - (p.y - v.y) * f, w: v.w * f, h: v.h * f });
      }, { passive: false });
      let pan = null;
      svg.addEventListener("pointerdown", (e) => {
        if (e.target.closest && e.target.closest("g.node")) return;
        pan = { x: e.clientX, y: e.clientY, view: { ...this.view }, scale: this.toGraph(e).scale, moved: false };
        svg.setPointerCapture(e.pointerId);
      });
      svg.addEventListener("pointermove", (e) => {
        if (!pan) return;
        const ddx = e.clientX - pan.x, ddy = e.clientY - pan.y;
        if (Math.abs(ddx) + Math.abs(ddy) > 3) { pan.moved = true; this.userMoved = true; }
        this.setView({ ...pan.view, x: pan.view.x - ddx * pan.scale, y: pan.view.y - ddy * pan.scale });
      });
      const end = () => {
        if (pan && !pan.moved) this.select(null);
        pan = null;
      };
      svg.addEventListener("pointerup", end);
      svg.addEventListener("pointercancel", () => { pan = null; });
    }

    startNodeDrag(e, id) {
      e.stopPropagation();
      const el = this.elements.get(id);
      const start = this.toGraph(e);
      const origin = { ...this.positions.get(id) };
      this.dragged = false;
      const move = (ev) => {
        const p = this.toGraph(ev);
        const pos = { x: origin.x + p.x - start.x, y: origin.y + p.y - start.y };
        if (Math.abs(p.x - start.x) + Math.abs(p.y - start.y) > 3 * p.scale) this.dragged = true;
        this.positions.set(id, pos);
        el.g.setAttribute("transform", `translate(${pos.x},${pos.y})`);
        for (const { line, end } of el.lines) {
          line.setAttribute("x" + end, pos.x);
          line.setAttribute("y" + end, pos.y);
        }
      };
      const up = () => {
        window.removeEventListener("pointermove", move);
        window.removeEventListener("pointerup", up);
        setTimeout(() => { this.dragged = false; }, 0);
      };
      window.addEventListener("pointermove", move);
      window.addEventListener("pointerup", up);
    }
  }

  AC.Graph = Graph;
  AC.layout = layout;
})(window.AC);
