// The console's shell: the key gate, the tenant, and hash routes (#/runs/ID, #/memory?team_id=..., #/insights/TEAM).
"use strict";
(function (AC) {
  const { $ } = AC;
  const VIEWS = ["key", "runs", "memory", "insights"];
  let tenant = "";

  function showView(name) {
    for (const v of VIEWS) $("view-" + v).hidden = v !== name;
    for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("active", a.dataset.tab === name);
    if (name !== "runs") AC.runs.hide();
    document.body.dataset.view = name;
  }

  /** The key's tenant, through Mem0's ping (any tenant key answers it). */
  async function connect(key) {
    AC.key.set(key);
    const ping = await AC.get("/v1/ping/", { noSignOut: true });
    tenant = ping.org_id || "";
    return tenant;
  }

  function signOut(message) {
    AC.key.clear();
    tenant = "";
    AC.runs.reset();
    AC.memory.reset();
    AC.insights.reset();
    $("tabs").hidden = true;
    $("who").hidden = true;
    $("key-input").value = "";
    AC.setText("key-error", message || "");
    showView("key");
    $("key-input").focus();
  }

  AC.onUnauthorized = () => signOut("The key was refused (revoked, or not a tenant's key). Paste another.");

  async function route() {
    if (!tenant) {
      const key = AC.key.get();
      if (!key) { signOut(""); return; }
      try { await connect(key); } catch (e) { signOut(e.status === 401 || e.status === 403 ? "The stored key was refused; paste another." : e.message); return; }
      onConnected();
    }
    const hash = location.hash || "#/runs";
    const [path, queryString] = hash.slice(1).split("?");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const params = new URLSearchParams(queryString || "");
    switch (parts[0]) {
      case "memory": showView("memory"); AC.memory.show(params); break;
      case "insights": showView("insights"); AC.insights.show(parts[1]); break;
      default: showView("runs"); AC.runs.show(parts[1]); break;
    }
  }

  function onConnected() {
    $("tabs").hidden = false;
    $("who").hidden = false;
    AC.setText("tenant", tenant);
    AC.setText("key-error", "");
  }

  document.addEventListener("DOMContentLoaded", () => {
    AC.runs.init();
    AC.memory.init();
    AC.insights.init();
    $("key-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const key = $("key-input").value.trim();
      if (!key) return;
      $("key-submit").disabled = true;
      try {
        await connect(key);
        onConnected();
        route();
      } catch (err) {
        AC.key.clear();
        AC.setText("key-error", err.status === 401 ? "This key is not valid." : err.status === 403 ? "That is the admin key: paste a tenant's key." : err.message);
      } finally {
        $("key-submit").disabled = false;
      }
    });
    $("sign-out").addEventListener("click", () => signOut(""));
    window.addEventListener("hashchange", route);
    route();
  });
})(window.AC);
