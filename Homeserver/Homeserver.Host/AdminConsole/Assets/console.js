"use strict";
// The console is a front end of the admin API only (Synapse's /_synapse/admin and our /_homeserver/admin), so that
// API stays complete enough for any other tool. Every value from the server is put into the page as text, never as
// markup: room names, display names and report reasons are written by users.

const TOKEN_KEY = "homeserver.console.token";
const main = document.getElementById("main");
const statusLine = document.getElementById("status");

function token() { return sessionStorage.getItem(TOKEN_KEY); }

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function say(message, isError) {
  statusLine.textContent = message;
  statusLine.className = isError ? "error" : "";
  if (!isError) setTimeout(() => { if (statusLine.textContent === message) statusLine.textContent = ""; }, 4000);
}

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? `${body.errcode}: ${body.error}` : `HTTP ${status}`);
    this.status = status;
    this.errcode = body && body.errcode;
  }
}

async function api(method, path, body) {
  const headers = {};
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : {}; } catch { json = null; }
  if (res.status === 401) { signOut(); throw new ApiError(res.status, json); }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

const admin = (path) => `/_synapse/admin${path}`;
const enc = encodeURIComponent;
const fmtTs = (ms) => (ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "");
const fmtBytes = (n) => {
  if (n === null || n === undefined) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
};

function table(columns, rows, rowAttrs) {
  return h("table", {},
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { text: c.title })))),
    h("tbody", {}, rows.map((r) => h("tr", rowAttrs ? rowAttrs(r) : {}, columns.map((c) => h("td", {}, c.cell(r)))))));
}

function field(label, input) { return h("label", {}, label, input); }

function form(onsubmit, ...children) {
  return h("form", {
    onsubmit: async (e) => {
      e.preventDefault();
      const button = e.target.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      try { await onsubmit(new FormData(e.target), e.target); } catch (err) { say(err.message, true); } finally { if (button) button.disabled = false; }
    },
  }, children);
}

function confirmThen(message, action) {
  return async () => { if (window.confirm(message)) { try { await action(); } catch (err) { say(err.message, true); } } };
}

function page(title, ...children) {
  main.replaceChildren(h("h2", { text: title }), ...children);
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  document.getElementById("nav").hidden = true;
  location.hash = "#/login";
}

// ---- Sign in ----

function loginPage() {
  document.getElementById("nav").hidden = true;
  page("Sign in",
    h("p", { text: "Sign in with a server admin's account." }),
    form(async (data) => {
      const res = await fetch("/_matrix/client/v3/login", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          type: "m.login.password",
          identifier: { type: "m.id.user", user: data.get("user") },
          password: data.get("password"),
          initial_device_display_name: "Homeserver console",
        }),
      });
      const body = await res.json();
      if (!res.ok) throw new ApiError(res.status, body);
      sessionStorage.setItem(TOKEN_KEY, body.access_token);
      try {
        await api("GET", admin("/v2/users?limit=1"));
      } catch (err) {
        if (err.status === 403) {
          await api("POST", "/_matrix/client/v3/logout", {}).catch(() => {});
          sessionStorage.removeItem(TOKEN_KEY);
          throw new Error("This account is not a server admin.");
        }
        throw err;
      }
      location.hash = "#/";
    },
    field("User", h("input", { name: "user", autocomplete: "username", required: true })),
    field("Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    h("button", { type: "submit", text: "Sign in" })));
}

// ---- Dashboard ----

// The figures refresh every few seconds while the dashboard is shown; leaving the page stops the timer.
const DASHBOARD_REFRESH_MS = 5000;
let dashboardTimer = null;

async function dashboardPage() {
  const [version, reports] = await Promise.all([
    api("GET", admin("/v1/server_version")),
    api("GET", admin("/v1/event_reports?limit=1")).catch(() => null),
  ]);
  const cards = h("div", { class: "cards", id: "dashboard" });
  const updated = h("p", { class: "muted", id: "dashboard-updated" });
  page("Dashboard", h("p", { text: `Server version ${version.server_version}` }), cards, updated);
  const refresh = async () => {
    dashboardTimer = null;
    try {
      cards.replaceChildren(...dashboardCards(await api("GET", "/_homeserver/admin/v1/dashboard"), reports));
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      if (err.status === 401) return;
      updated.textContent = `Not updated: ${err.message}`;
    }
    if (cards.isConnected) dashboardTimer = setTimeout(refresh, DASHBOARD_REFRESH_MS);
  };
  await refresh();
}

function dashboardCards(d, reports) {
  const card = (title, value, id, cls) => h("div", { class: cls ? `card ${cls}` : "card", id }, h("div", { text: title }), h("div", { class: "value", text: value }));
  const ms = (v) => (v === null || v === undefined ? "–" : `${v} ms`);
  const latency = d.request_latency_ms;
  return [
    card("Users", d.users, "card-users"),
    card("Rooms", d.rooms, "card-rooms"),
    card("Events, last minute", d.events_last_minute, "card-events-minute"),
    card("Events, last hour", d.events_last_hour, "card-events-hour"),
    card("Requests per second", d.requests_per_second.toFixed(2), "card-request-rate"),
    card("Latency p50 / p90 / p99", `${ms(latency.p50)} / ${ms(latency.p90)} / ${ms(latency.p99)}`, "card-latency"),
    card(`Database (${d.database.engine})`, fmtBytes(d.database.size_bytes), "card-database"),
    card("Local media", fmtBytes(d.media.local_bytes), "card-media"),
    card("Remote media cache", fmtBytes(d.media.remote_cache_bytes), "card-remote-media"),
    card("Federation destinations", d.federation.destinations, "card-destinations"),
    card("Reachable", d.federation.reachable, "card-reachable"),
    card("Backing off", d.federation.backing_off, "card-backoff", d.federation.backing_off > 0 ? "backoff" : null),
    card("Open event reports", reports ? reports.total : "–", "card-reports"),
  ];
}

// ---- Users ----

async function usersPage(params) {
  const query = params.get("q") || "";
  const from = Number(params.get("from") || 0);
  const list = await api("GET", admin(`/v2/users?from=${from}&limit=50&guests=true&deactivated=true${query ? `&name=${enc(query)}` : ""}`));
  page("Users",
    form(async (data) => { location.hash = `#/users?q=${enc(data.get("q"))}`; },
      field("Search (user ID or display name)", h("input", { name: "q", value: query })),
      h("button", { type: "submit", text: "Search" })),
    table([
      { title: "User", cell: (u) => h("a", { href: `#/user?id=${enc(u.name)}`, text: u.name }) },
      { title: "Display name", cell: (u) => u.displayname || "" },
      { title: "Admin", cell: (u) => (u.admin ? "yes" : "") },
      { title: "Guest", cell: (u) => (u.is_guest ? "yes" : "") },
      { title: "Deactivated", cell: (u) => (u.deactivated ? "yes" : "") },
      { title: "Created", cell: (u) => fmtTs(u.creation_ts) },
    ], list.users, (u) => ({ "data-user": u.name })),
    pager("#/users", params, from, list.total, 50),
    h("h3", { text: "Create a user" }),
    form(async (data, el) => {
      const localpart = data.get("localpart").trim();
      const userId = localpart.startsWith("@") ? localpart : `@${localpart}:${await serverName()}`;
      await api("PUT", admin(`/v2/users/${enc(userId)}`), {
        password: data.get("password"),
        displayname: data.get("displayname") || undefined,
        admin: data.get("admin") === "on",
      });
      el.reset();
      say(`Created ${userId}`);
      await route();
    },
    field("User name", h("input", { name: "localpart", required: true })),
    field("Password", h("input", { name: "password", type: "password", autocomplete: "new-password", required: true })),
    field("Display name", h("input", { name: "displayname" })),
    h("label", { class: "check" }, h("input", { name: "admin", type: "checkbox" }), "Server admin"),
    h("button", { type: "submit", text: "Create" })));
}

let cachedServerName = null;
async function serverName() {
  if (!cachedServerName) {
    const me = await api("GET", "/_matrix/client/v3/account/whoami");
    cachedServerName = me.user_id.slice(me.user_id.indexOf(":") + 1);
  }
  return cachedServerName;
}

function pager(base, params, from, total, size) {
  const link = (f, text) => {
    const p = new URLSearchParams(params);
    p.set("from", f);
    return h("a", { href: `${base}?${p}`, text });
  };
  return h("p", {},
    `${total === 0 ? 0 : from + 1}–${Math.min(from + size, total)} of ${total} `,
    from > 0 ? link(Math.max(from - size, 0), "‹ previous") : null, " ",
    from + size < total ? link(from + size, "next ›") : null);
}

async function userPage(params) {
  const id = params.get("id");
  const [user, devices, rooms, media] = await Promise.all([
    api("GET", admin(`/v2/users/${enc(id)}`)),
    api("GET", admin(`/v2/users/${enc(id)}/devices`)),
    api("GET", admin(`/v1/users/${enc(id)}/joined_rooms`)),
    api("GET", admin(`/v1/users/${enc(id)}/media?limit=100`)).catch(() => ({ media: [], total: 0 })),
  ]);
  page(`User ${id}`,
    table([{ title: "Field", cell: (r) => r[0] }, { title: "Value", cell: (r) => r[1] }], [
      ["Display name", user.displayname || ""],
      ["Admin", user.admin ? "yes" : "no"],
      ["Deactivated", user.deactivated ? "yes" : "no"],
      ["Erased", user.erased ? "yes" : "no"],
      ["Shadow-banned", user.shadow_banned ? "yes" : "no"],
      ["Created", fmtTs((user.creation_ts || 0) * 1000)],
    ]),
    h("h3", { text: "Reset password" }),
    form(async (data, el) => {
      await api("POST", admin(`/v1/reset_password/${enc(id)}`), { new_password: data.get("password"), logout_devices: data.get("logout") === "on" });
      el.reset();
      say("Password changed");
    },
    field("New password", h("input", { name: "password", type: "password", autocomplete: "new-password", required: true })),
    h("label", { class: "check" }, h("input", { name: "logout", type: "checkbox", checked: true }), "Sign out every device"),
    h("button", { type: "submit", text: "Reset password" })),
    h("h3", { text: "Deactivate" }),
    user.deactivated ? h("p", { text: "This account is deactivated." }) : h("p", {},
      h("button", {
        class: "danger", type: "button", id: "deactivate",
        onclick: confirmThen(`Deactivate ${id} and erase their profile? This cannot be undone.`, async () => {
          await api("POST", admin(`/v1/deactivate/${enc(id)}`), { erase: true });
          say(`Deactivated ${id}`);
          await route();
        }),
        text: "Deactivate and erase",
      })),
    h("h3", { text: `Devices (${devices.total})` }),
    table([
      { title: "Device", cell: (d) => d.device_id },
      { title: "Name", cell: (d) => d.display_name || "" },
      { title: "Last seen", cell: (d) => `${fmtTs(d.last_seen_ts)} ${d.last_seen_ip || ""}` },
      { title: "", cell: (d) => h("button", { type: "button", text: "Sign out", onclick: confirmThen(`Sign out device ${d.device_id}?`, async () => { await api("DELETE", admin(`/v2/users/${enc(id)}/devices/${enc(d.device_id)}`)); await route(); }) }) },
    ], devices.devices),
    h("h3", { text: `Rooms (${rooms.total})` }),
    table([{ title: "Room", cell: (r) => h("a", { href: `#/room?id=${enc(r)}`, text: r }) }], rooms.joined_rooms),
    h("h3", { text: `Media (${media.total})` }),
    table([
      { title: "Media", cell: (m) => m.media_id },
      { title: "Type", cell: (m) => m.media_type },
      { title: "Size", cell: (m) => fmtBytes(m.media_length) },
      { title: "Uploaded", cell: (m) => fmtTs(m.created_ts) },
    ], media.media));
}

// ---- Rooms ----

async function roomsPage(params) {
  const query = params.get("q") || "";
  const from = Number(params.get("from") || 0);
  const list = await api("GET", admin(`/v1/rooms?from=${from}&limit=50${query ? `&search_term=${enc(query)}` : ""}`));
  page("Rooms",
    form(async (data) => { location.hash = `#/rooms?q=${enc(data.get("q"))}`; },
      field("Search (name, alias or room ID)", h("input", { name: "q", value: query })),
      h("button", { type: "submit", text: "Search" })),
    table([
      { title: "Room", cell: (r) => h("a", { href: `#/room?id=${enc(r.room_id)}`, text: r.name || r.canonical_alias || r.room_id }) },
      { title: "Room ID", cell: (r) => r.room_id },
      { title: "Members (local)", cell: (r) => `${r.joined_members} (${r.joined_local_members})` },
      { title: "Version", cell: (r) => r.version },
      { title: "Encrypted", cell: (r) => (r.encryption ? "yes" : "") },
      { title: "Public", cell: (r) => (r.public ? "yes" : "") },
    ], list.rooms, (r) => ({ "data-room": r.room_id })),
    pager("#/rooms", params, from, list.total_rooms, 50));
}

async function roomPage(params) {
  const id = params.get("id");
  const [room, members, state] = await Promise.all([
    api("GET", admin(`/v1/rooms/${enc(id)}`)),
    api("GET", admin(`/v1/rooms/${enc(id)}/members`)),
    api("GET", admin(`/v1/rooms/${enc(id)}/state`)),
  ]);
  const progress = h("p", { id: "delete-progress" });
  page(`Room ${room.name || id}`,
    table([{ title: "Field", cell: (r) => r[0] }, { title: "Value", cell: (r) => r[1] }], [
      ["Room ID", room.room_id], ["Alias", room.canonical_alias || ""], ["Topic", room.topic || ""],
      ["Version", room.version], ["Creator", room.creator || ""], ["Join rule", room.join_rules || ""],
      ["History visibility", room.history_visibility || ""], ["Members", `${room.joined_members} (${room.joined_local_members} local)`],
      ["State events", room.state_events],
    ]),
    h("h3", { text: `Members (${members.total})` }),
    table([{ title: "User", cell: (m) => h("a", { href: `#/user?id=${enc(m)}`, text: m }) }], members.members),
    h("h3", { text: "Delete" }),
    form(async (data) => {
      const { delete_id: deleteId } = await api("DELETE", admin(`/v2/rooms/${enc(id)}`), {
        purge: data.get("purge") === "on",
        block: data.get("block") === "on",
        message: data.get("message") || undefined,
      });
      await followDeletion(deleteId, progress);
    },
    field("Message to its members", h("input", { name: "message" })),
    h("label", { class: "check" }, h("input", { name: "purge", type: "checkbox", checked: true }), "Purge from the database"),
    h("label", { class: "check" }, h("input", { name: "block", type: "checkbox" }), "Block from being joined again"),
    h("button", { class: "danger", type: "submit", id: "delete-room", text: "Delete room" })),
    progress,
    h("h3", { text: "State" }),
    h("pre", { text: JSON.stringify(state.state, null, 2) }));
}

async function followDeletion(deleteId, progress) {
  for (;;) {
    const status = await api("GET", admin(`/v2/rooms/delete_status/${enc(deleteId)}`));
    const kicked = status.shutdown_room ? status.shutdown_room.kicked_users.length : 0;
    progress.textContent = `Deletion ${status.status}${status.error ? `: ${status.error}` : ""} (members removed: ${kicked})`;
    if (status.status === "complete" || status.status === "failed") return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ---- Moderation ----

async function moderationPage(params) {
  const from = Number(params.get("from") || 0);
  const reports = await api("GET", admin(`/v1/event_reports?from=${from}&limit=50`));
  page("Moderation",
    h("h3", { text: `Event reports (${reports.total})` }),
    table([
      { title: "Received", cell: (r) => fmtTs(r.received_ts) },
      { title: "Room", cell: (r) => h("a", { href: `#/room?id=${enc(r.room_id)}`, text: r.name || r.room_id }) },
      { title: "Reporter", cell: (r) => r.user_id },
      { title: "Sender", cell: (r) => r.sender },
      { title: "Reason", cell: (r) => r.reason || "" },
      { title: "", cell: (r) => h("button", { type: "button", text: "Dismiss", onclick: confirmThen("Dismiss this report?", async () => { await api("DELETE", admin(`/v1/event_reports/${r.id}`)); await route(); }) }) },
    ], reports.event_reports),
    pager("#/moderation", params, from, reports.total, 50),
    h("h3", { text: "Quarantine media" }),
    form(async (data, el) => {
      const mxc = data.get("mxc").replace(/^mxc:\/\//, "");
      const [server, mediaId] = mxc.split("/");
      await api("POST", admin(`/v1/media/quarantine/${enc(server)}/${enc(mediaId)}`), {});
      el.reset();
      say(`Quarantined mxc://${mxc}`);
    },
    field("Media (mxc://server/id)", h("input", { name: "mxc", required: true, pattern: "(mxc://)?[^/]+/[^/]+" })),
    h("button", { class: "danger", type: "submit", text: "Quarantine" })));
}

// ---- Registration tokens ----

async function tokensPage() {
  const list = await api("GET", admin("/v1/registration_tokens"));
  page("Registration tokens",
    table([
      { title: "Token", cell: (t) => t.token },
      { title: "Uses allowed", cell: (t) => (t.uses_allowed === null ? "unlimited" : t.uses_allowed) },
      { title: "Pending", cell: (t) => t.pending },
      { title: "Completed", cell: (t) => t.completed },
      { title: "Expires", cell: (t) => (t.expiry_time ? fmtTs(t.expiry_time) : "never") },
      { title: "", cell: (t) => h("button", { type: "button", text: "Delete", onclick: confirmThen(`Delete token ${t.token}?`, async () => { await api("DELETE", admin(`/v1/registration_tokens/${enc(t.token)}`)); await route(); }) }) },
    ], list.registration_tokens),
    h("h3", { text: "New token" }),
    form(async (data) => {
      const uses = data.get("uses");
      const days = data.get("days");
      await api("POST", admin("/v1/registration_tokens/new"), {
        uses_allowed: uses ? Number(uses) : null,
        expiry_time: days ? Date.now() + Number(days) * 86400000 : null,
      });
      await route();
    },
    field("Uses allowed (empty: unlimited)", h("input", { name: "uses", type: "number", min: 0 })),
    field("Valid for days (empty: never expires)", h("input", { name: "days", type: "number", min: 1 })),
    h("button", { type: "submit", text: "Create" })));
}

// ---- Federation ----

async function federationPage(params) {
  const from = Number(params.get("from") || 0);
  const list = await api("GET", admin(`/v1/federation/destinations?from=${from}&limit=100`));
  page("Federation",
    table([
      { title: "Destination", cell: (d) => d.destination },
      { title: "State", cell: (d) => (d.retry_interval > 0 ? h("span", { class: "backoff", text: `backing off (${Math.round(d.retry_interval / 1000)} s)` }) : "reachable") },
      { title: "Failing since", cell: (d) => fmtTs(d.failure_ts) },
      { title: "Last attempt", cell: (d) => fmtTs(d.retry_last_ts) },
      { title: "", cell: (d) => (d.retry_interval > 0 ? h("button", { type: "button", text: "Retry now", onclick: async () => { try { await api("POST", admin(`/v1/federation/destinations/${enc(d.destination)}/reset_connection`), {}); say(`Retrying ${d.destination}`); await route(); } catch (err) { say(err.message, true); } } }) : "") },
    ], list.destinations, (d) => ({ "data-destination": d.destination })),
    pager("#/federation", params, from, list.total, 100));
}

// ---- Media ----

async function mediaPage() {
  const stats = await api("GET", admin("/v1/statistics/users/media?limit=50&order_by=media_length&dir=b"));
  page("Media and storage",
    h("h3", { text: "Largest uploaders" }),
    table([
      { title: "User", cell: (u) => h("a", { href: `#/user?id=${enc(u.user_id)}`, text: u.user_id }) },
      { title: "Files", cell: (u) => u.media_count },
      { title: "Size", cell: (u) => fmtBytes(u.media_length) },
    ], stats.users),
    h("h3", { text: "Delete local media" }),
    form(async (data) => {
      const before = Date.now() - Number(data.get("days")) * 86400000;
      const size = Number(data.get("size") || 0) * 1024 * 1024;
      const res = await api("POST", admin(`/v1/media/delete?before_ts=${before}&size_gt=${size}&keep_profiles=true`), {});
      say(`Deleted ${res.total} files`);
      await route();
    },
    field("Not accessed for days", h("input", { name: "days", type: "number", min: 0, value: 90, required: true })),
    field("Larger than MiB", h("input", { name: "size", type: "number", min: 0, value: 0 })),
    h("button", { class: "danger", type: "submit", text: "Delete" })),
    h("h3", { text: "Purge the remote media cache" }),
    form(async (data) => {
      const before = Date.now() - Number(data.get("days")) * 86400000;
      const res = await api("POST", admin(`/v1/purge_media_cache?before_ts=${before}`), {});
      say(`Purged ${res.deleted} cached files`);
    },
    field("Not accessed for days", h("input", { name: "days", type: "number", min: 0, value: 30, required: true })),
    h("button", { type: "submit", text: "Purge" })));
}

// ---- Configuration ----

async function configPage() {
  const config = await api("GET", "/_homeserver/admin/v1/config");
  page("Configuration", h("p", { text: "The effective configuration, secrets masked." }), h("pre", { id: "config", text: JSON.stringify(config, null, 2) }));
}

// ---- Routing ----

const routes = {
  "/": dashboardPage, "/users": usersPage, "/user": userPage, "/rooms": roomsPage, "/room": roomPage,
  "/moderation": moderationPage, "/tokens": tokensPage, "/federation": federationPage, "/media": mediaPage, "/config": configPage,
};

async function route() {
  clearTimeout(dashboardTimer);
  dashboardTimer = null;
  const hash = location.hash.slice(1) || "/";
  const [path, query] = hash.split("?");
  if (path === "/login" || !token()) { loginPage(); return; }
  document.getElementById("nav").hidden = false;
  const render = routes[path];
  if (!render) { page("Not found", h("p", { text: "No such page." })); return; }
  try {
    await render(new URLSearchParams(query || ""));
  } catch (err) {
    if (err.status !== 401) page("Error", h("p", { text: err.message }));
  }
}

document.getElementById("logout").addEventListener("click", async () => {
  await api("POST", "/_matrix/client/v3/logout", {}).catch(() => {});
  signOut();
});
window.addEventListener("hashchange", route);
route();
