// DOM helpers. API data only ever becomes text (textContent) or a vetted attribute: never HTML.
"use strict";
window.AC = window.AC || {};
(function (AC) {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const SAFE_ATTR = /^(class|id|title|href|role|tabindex|type|value|for|colspan|aria-[a-z-]+|data-[a-z-]+|x|y|x1|y1|x2|y2|cx|cy|r|rx|width|height|d|fill|stroke|stroke-width|opacity|transform|viewBox|text-anchor|dy|dominant-baseline)$/;

  function setAttrs(el, attrs) {
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (!SAFE_ATTR.test(name)) throw new Error("attribute not allowed: " + name);
      // Links are built by the console itself (hash routes); anything else is dropped.
      if (name === "href" && !String(value).startsWith("#")) continue;
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }

  function append(el, children) {
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  /** h("div", {class: "x"}, "text", child...) : an element whose strings are text nodes. */
  AC.h = function (tag, attrs, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    return append(el, children);
  };

  /** The same in SVG. */
  AC.s = function (tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    setAttrs(el, attrs);
    return append(el, children);
  };

  AC.$ = (id) => document.getElementById(id);
  AC.clear = (el) => { while (el.firstChild) el.removeChild(el.firstChild); return el; };
  AC.setText = (id, text) => { AC.$(id).textContent = text == null ? "" : String(text); };

  AC.fmtTime = function (iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
  };
  AC.fmtClock = function (iso) {
    const d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString(undefined, { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
  };
  AC.fmtDuration = function (ms) {
    if (!(ms >= 0)) return "";
    if (ms < 1000) return ms.toFixed(0) + " ms";
    if (ms < 60000) return (ms / 1000).toFixed(1) + " s";
    return Math.floor(ms / 60000) + " min " + Math.round((ms % 60000) / 1000) + " s";
  };
  AC.ago = function (iso) {
    const s = (Date.now() - new Date(iso).getTime()) / 1000;
    if (!(s >= 0)) return "";
    if (s < 60) return Math.floor(s) + " s ago";
    if (s < 3600) return Math.floor(s / 60) + " min ago";
    if (s < 86400) return Math.floor(s / 3600) + " h ago";
    return Math.floor(s / 86400) + " d ago";
  };
  AC.shortId = (id) => String(id || "").slice(0, 8);
  AC.truncate = (text, n) => { const t = String(text || ""); return t.length <= n ? t : t.slice(0, n - 1) + "…"; };

  let toastTimer = 0;
  AC.toast = function (message, kind) {
    const t = AC.$("toast");
    t.textContent = message;
    t.className = "toast " + (kind || "");
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 5000);
  };
})(window.AC);
