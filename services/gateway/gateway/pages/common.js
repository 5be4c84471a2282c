// What the gateway's pages share: signing in, calling the site's API through the gateway with the
// bearer token, polling, and small DOM and time helpers. No framework and no build step: the
// pages must work on a dealer's tablet with no internet.
"use strict";

const df = (() => {
  const status = (text) => { document.getElementById("status").textContent = text; };

  // The token and site come in the URL hash (#token=...&site=...), never in the query string,
  // so they are not sent to the server or written to its access log. Without them, the local
  // dev issuer's form (only answered when DEALERFLOW_ENV=local) signs in as `role`.
  function session(role, label) {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.get("token") && params.get("site")) {
      return {token: params.get("token"), site: params.get("site"), params};
    }
    const form = document.createElement("form");
    form.className = "signin";
    form.innerHTML = `<strong>登录 · Sign in (local development)</strong>
      <input name="group" placeholder="集团 Group id" required>
      <input name="site" placeholder="门店 Site id" required>
      <input name="user" placeholder="用户 User id" value="${role}-1" required>
      <button>进入 · ${label}</button>`;
    document.querySelector("header").after(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = new FormData(form);
      const response = await fetch("/auth/dev-token", {method: "POST", headers: {"content-type": "application/json"},
        body: JSON.stringify({user_id: f.get("user"), name: f.get("user"), group_id: f.get("group"), roles: [role],
          site_ids: [f.get("site")]})});
      if (!response.ok) { alert("登录失败 · sign-in failed"); return; }
      const {access_token} = await response.json();
      location.hash = new URLSearchParams({token: access_token, site: f.get("site")}).toString();
      location.reload();
    });
    return null;
  }

  async function call(s, url, method = "GET", payload = undefined) {
    const headers = {Authorization: `Bearer ${s.token}`};
    if (payload !== undefined) headers["content-type"] = "application/json";
    // A request that hangs (a busy service, a dropped tablet connection) must not stall polling.
    const response = await fetch(url, {method, headers,
      body: payload === undefined ? undefined : JSON.stringify(payload), signal: AbortSignal.timeout(20000)});
    const type = response.headers.get("content-type") || "";
    const body = type.includes("json") ? await response.json() : await response.text();
    return {ok: response.ok, status: response.status, body, link: response.headers.get("link")};
  }

  // One call to `/api/v1/sites/{site}/{path}`: {ok, status, body} (body parsed when JSON).
  const api = (s, path, method = "GET", payload = undefined) =>
    call(s, `/api/v1/sites/${s.site}/${path}`, method, payload);

  // Every row of a list, however many pages it takes: follows `Link: <?cursor=...>; rel="next"`
  // (resolved against the URL just called) to the end, so a queue never stops at a page's edge.
  async function all(s, path) {
    let url = new URL(`/api/v1/sites/${s.site}/${path}`, location.origin).href;
    const rows = [];
    for (;;) {
      const result = await call(s, url);
      if (!result.ok) return result;
      rows.push(...result.body);
      const next = /<([^>]*)>\s*;\s*rel="next"/.exec(result.link || "");
      if (!next) return {...result, body: rows};
      url = new URL(next[1], url).href;
    }
  }

  // The API's error body ({"error": {"code", "message", "fields"}}) as one line for the user.
  function problem(result) {
    const error = (result.body && result.body.error) || {};
    const fields = (error.fields || []).map((f) => `${f.field}: ${f.message}`).join("; ");
    return `${result.status} ${error.message || ""}${fields ? " — " + fields : ""}`;
  }

  // Calls `load()` now and every `ms`; `load` returns false to stop (no access: polling is pointless).
  function poll(load, ms) {
    let timer = null;
    const run = async () => {
      clearTimeout(timer);
      let again = true;
      try { again = (await load()) !== false; } catch (e) { status(`重新连接 · reconnecting (${e.message})`); }
      if (again) timer = setTimeout(run, ms);
    };
    run();
    return run;  // call it to refresh at once (e.g. after recording something)
  }

  // A refusal shows on the page the way the advisor board shows it, and false stops polling;
  // anything else that failed (429 rate limited, 503 a service restarting) is tried again.
  function allowed(result) {
    if (result.status === 401 || result.status === 403) { status(`无权限 · ${result.status}`); return false; }
    if (!result.ok) throw new Error(problem(result));
    return true;
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    node.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
    return node;
  }
  const badge = (text, kind = "") => el("span", {class: `badge ${kind}`}, text);
  // A table cell; "—" when there is nothing to show.
  const cell = (...children) => el("td", {}, ...(children.every((c) => c === undefined || c === null) ? ["—"] : children));

  function emptyRow(tbody, columns) {
    if (!tbody.children.length) tbody.append(el("tr", {}, el("td", {class: "empty", colspan: columns}, "暂无 · None")));
  }

  const pad = (n) => String(n).padStart(2, "0");
  function dateTime(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    return `${d.getMonth() + 1}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  // "3 天 4 小时 · 3 d 4 h": a clock's time left (or gone) at a glance.
  function span(ms) {
    const minutes = Math.floor(Math.abs(ms) / 60000);
    const d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    if (d) return `${d} 天 ${h} 小时 · ${d} d ${h} h`;
    if (h) return `${h} 小时 ${m} 分 · ${h} h ${m} min`;
    return `${m} 分 · ${m} min`;
  }

  function live() {
    status("实时 · live");
    document.body.dataset.updated = Date.now();
  }

  return {session, api, all, problem, poll, allowed, el, badge, cell, emptyRow, dateTime, span, status, live};
})();
