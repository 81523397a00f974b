// Runs: start one, the tenant's list, and one run watched live (events, agents, memory, answer).
"use strict";
(function (AC) {
  const { h, $, clear, setText } = AC;
  const RUNS = "/api/v1/runs";

  let examples = [];
  let current = null;        // { id, run, stream, agents: Map, events: number }
  let listTimer = 0;

  function badge(el, status) {
    el.textContent = status || "";
    el.className = "badge status-" + (status || "unknown");
  }

  // ---- the list --------------------------------------------------------------------------------

  async function refreshList() {
    let list;
    try {
      list = await AC.get(RUNS + "?limit=100");
    } catch (e) {
      if (e.status !== 401) AC.toast("Runs: " + e.message, "bad");
      return;
    }
    const ul = clear($("run-list"));
    $("run-list-empty").hidden = list.runs.length > 0;
    for (const r of list.runs) {
      // The run directory hears of a run's end just after its last event: the open run knows first.
      const known = current && current.id === r.run_id && current.run && current.run.finished_at ? current.run.status : r.status;
      const status = h("span", { class: "badge status-" + known }, known);
      const li = h("li", { class: "run-item" + (current && current.id === r.run_id ? " selected" : ""), "data-run": r.run_id },
        h("a", { href: "#/runs/" + encodeURIComponent(r.run_id) },
          h("div", { class: "run-item-top" }, h("strong", {}, r.name), status),
          h("div", { class: "run-item-sub muted small" },
            h("span", {}, "team " + r.team), h("span", { title: AC.fmtTime(r.started_at) }, AC.ago(r.started_at)))));
      ul.appendChild(li);
    }
  }

  function markSelected() {
    for (const li of $("run-list").children) li.classList.toggle("selected", !!current && li.dataset.run === current.id);
  }

  // ---- starting a run --------------------------------------------------------------------------

  async function loadExamples() {
    try {
      examples = await AC.get("/console/examples");
    } catch { examples = []; }
    const select = $("example-select");
    for (const ex of examples) select.appendChild(h("option", { value: ex.name }, ex.name.replace(/\.ya?ml$/, "")));
  }

  async function startRun(event) {
    event.preventDefault();
    const text = $("definition").value;
    const problems = clear($("start-problems"));
    if (!text.trim()) {
      problems.appendChild(h("li", {}, "Paste a workflow definition, or pick an example."));
      return;
    }
    const type = text.trim().startsWith("{") ? "application/json" : "application/yaml";
    const button = $("start-run");
    button.disabled = true;
    try {
      const run = await AC.api("POST", RUNS, text, { headers: { "Content-Type": type } });
      AC.toast("Started " + run.run_id);
      location.hash = "#/runs/" + encodeURIComponent(run.run_id);
      refreshList();
    } catch (e) {
      const list = e.problems.length ? e.problems : [e.message];
      for (const p of list) problems.appendChild(h("li", {}, p));
    } finally {
      button.disabled = false;
    }
  }

  // ---- one run ---------------------------------------------------------------------------------

  function stopCurrent() {
    if (current && current.stream) current.stream.stop();
    current = null;
  }

  function renderHead(run) {
    setText("run-name", run.name);
    badge($("run-status"), run.status);
    setText("run-id", run.run_id);
    setText("run-team-name", run.team);
    $("run-team").setAttribute("href", "#/memory" + AC.query({ team_id: run.team }));
    $("run-insights").setAttribute("href", "#/insights/" + encodeURIComponent(run.team));
    setText("run-steps", String(run.steps));
    const end = run.finished_at ? new Date(run.finished_at) : new Date();
    setText("run-time", AC.fmtTime(run.started_at) + " · " + AC.fmtDuration(end - new Date(run.started_at)));
    setText("run-silo", run.silo);
    $("run-cancel").hidden = run.status !== "running";

    const error = $("run-error");
    error.hidden = !run.error;
    error.textContent = run.error ? (run.status === "cancelled" ? "Cancelled: " : "Failed: ") + run.error : "";
    renderAnswer(run);
  }

  /** The answer with its [n] markers as citation chips, and the numbered citations. */
  function renderAnswer(run) {
    const card = $("answer-card");
    card.hidden = !run.answer;
    if (!run.answer) return;
    const answer = clear($("answer"));
    const cites = run.citations || [];
    const parts = run.answer.split(/(\[\d+\])/);
    for (const part of parts) {
      const m = /^\[(\d+)\]$/.exec(part);
      const c = m ? cites[Number(m[1]) - 1] : null;
      if (m && c) answer.appendChild(h("sup", { class: "cite", title: c.text, "data-cite": m[1] }, m[1]));
      else answer.appendChild(document.createTextNode(part));
    }
    const ol = clear($("citations"));
    cites.forEach((c, i) => {
      ol.appendChild(h("li", { class: "citation", "data-cite": String(i + 1) },
        h("span", { class: "cite-n" }, String(i + 1)),
        h("div", { class: "cite-body" },
          h("p", { class: "cite-text" }, c.text),
          h("div", { class: "muted small" },
            h("span", { class: "source-chip" }, c.source), " ", h("span", { class: "mono", title: c.id }, AC.shortId(c.id))))));
    });
  }

  function agentOf(name) {
    if (!current.agents.has(name)) {
      const entry = { name, steps: 0, reads: 0, writes: 0, tokens: 0, state: "waiting", el: null };
      entry.el = h("li", { class: "agent", "data-agent": name });
      current.agents.set(name, entry);
      $("agents").appendChild(entry.el);
    }
    return current.agents.get(name);
  }

  function renderAgent(a) {
    clear(a.el);
    a.el.className = "agent agent-" + a.state;
    a.el.append(
      h("div", { class: "agent-top" }, h("span", { class: "avatar" }, a.name.slice(0, 1).toUpperCase()), h("strong", {}, a.name),
        h("span", { class: "agent-state small" }, a.state)),
      h("div", { class: "agent-stats small muted" },
        h("span", {}, a.steps + (a.steps === 1 ? " step" : " steps")),
        h("span", {}, a.reads + " read"), h("span", {}, a.writes + " written"),
        a.tokens ? h("span", {}, a.tokens + " tokens") : null));
  }

  function category(type) {
    const head = type.split(".")[0];
    if (type === "step.failed" || type === "run.failed") return "bad";
    if (type === "run.cancelled" || type === "step.skipped") return "warn";
    return head;   // run, step, model, memory
  }

  /** Memory ids of an event: a toggle that reads each memory's text on demand. */
  function memoryList(ids, label) {
    const details = h("details", { class: "mem-ids" }, h("summary", {}, label));
    let loaded = false;
    details.addEventListener("toggle", async () => {
      if (!details.open || loaded) return;
      loaded = true;
      const ul = h("ul", { class: "mem-list" });
      details.appendChild(ul);
      for (const id of ids.slice(0, 40)) {
        const text = h("span", { class: "muted" }, "…");
        const li = h("li", {}, h("span", { class: "mono small", title: id }, AC.shortId(id)), " ", text);
        ul.appendChild(li);
        AC.get("/api/v1/memories/" + encodeURIComponent(id)).then((m) => {
          li.replaceChild(h("span", { class: "kind-chip kind-" + m.kind }, m.kind), text);
          li.appendChild(document.createTextNode(" " + AC.truncate(m.content, 220)));
        }, (e) => { text.textContent = e.status === 404 ? "(deleted)" : e.message; });
      }
      if (ids.length > 40) ul.appendChild(h("li", { class: "muted" }, "and " + (ids.length - 40) + " more"));
    });
    return details;
  }

  function onEvent(e) {
    if (!current) return;
    current.events++;
    const timeline = $("timeline");
    const ids = e.memory_ids || [];
    let detail = null;
    if (ids.length) detail = memoryList(ids, ids.length + (ids.length === 1 ? " memory" : " memories"));
    const tokens = e.prompt_tokens != null ? (e.prompt_tokens + " → " + (e.completion_tokens ?? 0) + " tokens") : null;
    const li = h("li", { class: "event ev-" + category(e.type), "data-type": e.type, "data-id": String(e.id) },
      h("span", { class: "ev-time mono small", title: AC.fmtTime(e.at) }, AC.fmtClock(e.at)),
      h("span", { class: "ev-type" }, e.type),
      h("div", { class: "ev-body" },
        h("div", { class: "ev-meta small" },
          e.step != null ? h("span", { class: "step-chip" }, "step " + e.step) : null,
          e.agent ? h("span", { class: "agent-chip" }, e.agent) : null,
          e.model ? h("span", { class: "muted" }, e.model) : null,
          tokens ? h("span", { class: "muted" }, tokens) : null),
        h("p", { class: "ev-msg" }, e.message),
        detail));
    timeline.appendChild(li);
    if ($("follow").checked) timeline.scrollTop = timeline.scrollHeight;   // the list scrolls, not the page

    if (e.agent) {
      const a = agentOf(e.agent);
      if (e.type === "step.started") { a.steps++; a.state = "working"; }
      else if (e.type === "step.finished") a.state = "done";
      else if (e.type === "step.failed") a.state = "failed";
      else if (e.type === "step.skipped") a.state = "skipped";
      else if (e.type === "memory.read") a.reads += ids.length;
      else if (e.type === "memory.written") a.writes += ids.length;
      else if (e.type === "model.called") a.tokens += (e.prompt_tokens || 0) + (e.completion_tokens || 0);
      renderAgent(a);
    }
    if (e.step != null) setText("run-steps", String(Math.max(Number($("run-steps").textContent) || 0, e.step)));
    setText("agents-summary", current.agents.size + (current.agents.size === 1 ? " agent" : " agents") + " · " + current.events + " events");
    if (e.is_final) finish(current.id);
  }

  async function finish(id) {
    try {
      const run = await AC.get(RUNS + "/" + encodeURIComponent(id));
      if (!current || current.id !== id) return;
      current.run = run;
      renderHead(run);
      const item = document.querySelector(`#run-list li[data-run="${CSS.escape(id)}"] .badge`);
      if (item) { item.textContent = run.status; item.className = "badge status-" + run.status; }
      for (const a of current.agents.values()) if (a.state === "working") { a.state = run.status; renderAgent(a); }
    } catch (e) { AC.toast(e.message, "bad"); }
    refreshList();
  }

  async function showRun(id) {
    if (current && current.id === id) return;
    stopCurrent();
    $("run-placeholder").hidden = true;
    $("run-view").hidden = false;
    clear($("timeline"));
    clear($("agents"));
    setText("agents-summary", "");
    $("answer-card").hidden = true;
    $("run-error").hidden = true;
    current = { id, run: null, stream: null, agents: new Map(), events: 0 };
    markSelected();
    let run;
    try {
      run = await AC.get(RUNS + "/" + encodeURIComponent(id));
    } catch (e) {
      if (!current || current.id !== id) return;
      $("run-view").hidden = true;
      $("run-placeholder").hidden = false;
      $("run-placeholder").firstElementChild.textContent = e.status === 404 ? "No run " + id + " in this tenant." : e.message;
      current = null;
      return;
    }
    if (!current || current.id !== id) return;
    current.run = run;
    renderHead(run);
    const mine = current;
    mine.stream = AC.streamRunEvents(id, 0, (e) => { if (current === mine) onEvent(e); }, (state, error) => {
      if (current !== mine) return;
      $("run-live").hidden = !(state === "live" || state === "reconnecting");
      $("run-live").lastChild.textContent = state === "reconnecting" ? "reconnecting" : "live";
      if (state === "error") AC.toast(error.message, "bad");
    });
  }

  async function cancelRun() {
    if (!current) return;
    try {
      const run = await AC.api("POST", RUNS + "/" + encodeURIComponent(current.id) + "/cancel");
      renderHead(run);
      AC.toast("Cancel requested: the run stops after its step in progress.");
    } catch (e) { AC.toast(e.message, "bad"); }
  }

  // ---- the view --------------------------------------------------------------------------------

  AC.runs = {
    init() {
      $("start-form").addEventListener("submit", startRun);
      $("refresh-runs").addEventListener("click", refreshList);
      $("run-cancel").addEventListener("click", cancelRun);
      $("example-select").addEventListener("change", (e) => {
        const ex = examples.find((x) => x.name === e.target.value);
        if (ex) { $("definition").value = ex.yaml; clear($("start-problems")); }
      });
      loadExamples();
    },
    show(runId) {
      refreshList();
      clearInterval(listTimer);
      listTimer = setInterval(() => { if (!document.hidden) refreshList(); }, 10000);
      if (runId) showRun(runId);
    },
    hide() { clearInterval(listTimer); },
    reset() { stopCurrent(); clear($("run-list")); $("run-view").hidden = true; $("run-placeholder").hidden = false; },
  };
})(window.AC);
