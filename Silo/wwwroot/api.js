// The API from the browser: every call carries `Authorization: Token KEY`; errors are RFC 7807 problems.
"use strict";
(function (AC) {
  const KEY = "agents.apiKey";

  AC.key = {
    get: () => sessionStorage.getItem(KEY) || "",
    set: (key) => sessionStorage.setItem(KEY, key),
    clear: () => sessionStorage.removeItem(KEY),
  };

  /** An API error: HTTP status, the problem's title and detail, and a workflow's list of problems. */
  class ApiError extends Error {
    constructor(status, problem) {
      const p = problem || {};
      super(p.detail || p.title || ("HTTP " + status));
      this.status = status;
      this.title = p.title || "";
      this.problems = Array.isArray(p.problems) ? p.problems.map(String) : [];
    }
  }
  AC.ApiError = ApiError;

  function headers(extra) {
    const h = new Headers(extra || {});
    const key = AC.key.get();
    if (key) h.set("Authorization", "Token " + key);
    return h;
  }

  async function problemOf(response) {
    try { return await response.json(); } catch { return null; }
  }

  /** fetch + JSON, throwing ApiError on any non-2xx; a 401 sends the user back to the key form. */
  AC.api = async function (method, path, body, options) {
    const opts = options || {};
    const init = { method, headers: headers(opts.headers), signal: opts.signal };
    if (body !== undefined) {
      if (typeof body === "string") {
        init.body = body;
        if (!init.headers.has("Content-Type")) init.headers.set("Content-Type", "application/yaml");
      } else {
        init.body = JSON.stringify(body);
        init.headers.set("Content-Type", "application/json");
      }
    }
    const response = await fetch(path, init);
    if (!response.ok) {
      const error = new ApiError(response.status, await problemOf(response));
      if (response.status === 401 && !opts.noSignOut && AC.onUnauthorized) AC.onUnauthorized(error);
      throw error;
    }
    if (response.status === 204) return null;
    const type = response.headers.get("Content-Type") || "";
    return type.includes("json") ? response.json() : response.text();
  };

  AC.get = (path, options) => AC.api("GET", path, undefined, options);

  /** A query string of the defined values. */
  AC.query = function (params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
    const s = q.toString();
    return s ? "?" + s : "";
  };

  /**
   * A run's server-sent events through fetch (EventSource cannot send the key header): parses the
   * stream as it arrives and, when the connection drops before the run ends, resumes with
   * Last-Event-ID from the last event seen. onEvent(view) gets each event once, in order.
   * Returns a handle whose stop() ends it; resolves `done` when a final event has arrived.
   */
  AC.streamRunEvents = function (runId, afterId, onEvent, onState) {
    const controller = new AbortController();
    let last = afterId || 0;
    let finished = false;
    const path = "/api/v1/runs/" + encodeURIComponent(runId) + "/events";

    function dispatch(block) {
      let id = null, data = "";
      for (const line of block.split(/\r\n|\r|\n/)) {
        if (line === "" || line.startsWith(":")) continue;   // comments are heartbeats
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "id") id = value;
        else if (field === "data") data += (data ? "\n" : "") + value;
      }
      if (!data) return;
      const view = JSON.parse(data);
      const n = Number(id ?? view.id);
      if (n <= last) return;   // already seen (a replay after a reconnect)
      last = n;
      if (view.is_final) finished = true;
      onEvent(view);
    }

    async function connect() {
      const before = last;
      const h = headers({ Accept: "text/event-stream" });
      if (last > 0) h.set("Last-Event-ID", String(last));
      const response = await fetch(path, { headers: h, signal: controller.signal, cache: "no-store" });
      if (!response.ok) throw new ApiError(response.status, await problemOf(response));
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let boundary;
        while ((boundary = buffer.search(/\r\n\r\n|\n\n|\r\r/)) >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary).replace(/^(\r\n\r\n|\n\n|\r\r)/, "");
          dispatch(block);
        }
      }
      return last > before;
    }

    const done = (async () => {
      let failures = 0;
      while (!finished && !controller.signal.aborted) {
        try {
          onState && onState("live");
          const progressed = await connect();
          failures = 0;
          // Closed with nothing new: the run may have ended before this connection (its final event seen earlier).
          if (!progressed && !finished) {
            const run = await AC.get("/api/v1/runs/" + encodeURIComponent(runId), { signal: controller.signal });
            if (run.status !== "running") finished = true;
          }
        } catch (e) {
          if (controller.signal.aborted) break;
          if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) { onState && onState("error", e); throw e; }
          failures++;
        }
        if (finished || controller.signal.aborted) break;
        onState && onState("reconnecting");
        await new Promise((r) => setTimeout(r, Math.min(8000, 500 * 2 ** Math.min(failures, 4))));
      }
      onState && onState(finished ? "finished" : "stopped");
      return finished;
    })();
    done.catch(() => {});
    return { stop: () => controller.abort(), done, get lastEventId() { return last; } };
  };
})(window.AC);
