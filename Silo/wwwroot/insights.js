// Insights: what a team's G-Memory learned from its runs, with their scores, and the runs it recorded.
"use strict";
(function (AC) {
  const { h, $, clear } = AC;

  async function load(team) {
    const include = $("include-retired").checked;
    const tbody = clear($("insights").tBodies[0]);
    const runs = clear($("team-runs"));
    $("insights-empty").hidden = true;
    $("team-runs-empty").hidden = true;
    try {
      const base = "/api/v1/teams/" + encodeURIComponent(team);
      const [insights, recorded] = await Promise.all([
        AC.get(base + "/insights" + AC.query({ include_retired: include ? "true" : "" })),
        AC.get(base + "/runs" + AC.query({ limit: 50 })),
      ]);
      const max = Math.max(1, ...insights.results.map((i) => Math.abs(i.score)));
      for (const i of insights.results) {
        const bar = h("span", { class: "score-bar" + (i.score < 0 ? " negative" : "") });
        bar.style.width = Math.round((Math.abs(i.score) / max) * 100) + "%";
        tbody.appendChild(h("tr", { class: "insight" + (i.retired ? " retired" : ""), "data-id": i.id },
          h("td", { class: "score-col" }, h("div", { class: "score" }, h("strong", { class: "score-value" }, String(i.score)), h("span", { class: "score-track" }, bar))),
          h("td", {}, h("p", { class: "insight-text" }, i.text), i.retired ? h("span", { class: "badge status-cancelled" }, "retired") : null),
          h("td", { class: "muted", title: (i.supported_by || []).join("\n") }, String((i.supported_by || []).length)),
          h("td", { class: "muted small", title: AC.fmtTime(i.updated_at) }, AC.ago(i.updated_at))));
      }
      $("insights-empty").hidden = insights.results.length > 0;
      for (const r of recorded.results) {
        runs.appendChild(h("li", { class: "team-run" },
          h("div", { class: "team-run-top" },
            h("span", { class: "badge " + (r.succeeded ? "status-completed" : "status-failed") }, r.succeeded ? "succeeded" : "failed"),
            h("strong", {}, r.task),
            h("span", { class: "muted small", title: AC.fmtTime(r.observed_at) }, AC.ago(r.observed_at))),
          r.failure_reason ? h("p", { class: "error small" }, r.failure_reason) : null,
          h("ol", { class: "key-steps small" }, (r.key_steps || []).map((k) => h("li", {}, k))),
          (r.similar_runs || []).length ? h("p", { class: "muted small" }, "similar to " + r.similar_runs.length + " earlier run(s)") : null));
      }
      $("team-runs-empty").hidden = recorded.results.length > 0;
    } catch (e) {
      $("insights-empty").hidden = false;
      $("insights-empty").textContent = e.message;
    }
  }

  AC.insights = {
    init() {
      $("team-form").addEventListener("submit", (e) => {
        e.preventDefault();
        const team = $("insights-team").value.trim();
        if (!team) return;
        const target = "#/insights/" + encodeURIComponent(team);
        if (location.hash !== target) location.hash = target; else load(team);
      });
      $("include-retired").addEventListener("change", () => { const t = $("insights-team").value.trim(); if (t) load(t); });
    },
    reset() { clear($("insights").tBodies[0]); clear($("team-runs")); $("insights-team").value = ""; },
    show(team) {
      if (!team) return;
      $("insights-team").value = team;
      load(team);
    },
  };
})(window.AC);
