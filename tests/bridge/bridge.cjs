// A small relay bridge on npm's matrix-appservice, as the integration tests run it against the server.
// The "remote network" is this process's stdin and stdout, one JSON object a line:
//   node bridge.cjs register REGISTRATION_FILE BRIDGE_URL SERVER_NAME
//       writes a registration as bridges generate theirs: random tokens, @_relay_* users and #_relay_* aliases
//       held exclusively
//   node bridge.cjs run REGISTRATION_FILE HOMESERVER_URL PORT SERVER_NAME
//       listens on 127.0.0.1:PORT for the server's transactions and prints {"ready":true}, then
//       - prints {"event":EVENT} for every event of a transaction (Matrix to the remote network);
//       - creates a public portal room when the server asks for an unknown #_relay_* alias, and prints {"portal":...};
//       - for each stdin line {"room_id","from","text"} registers @_relay_FROM (m.login.application_service),
//         joins the room and sends the text as that user (the remote network to Matrix), printing {"sent":...}
//         or {"error":...}.
// NODE_PATH names the node_modules folder holding matrix-appservice (tests/bridge.sh installs it).
"use strict";
const fs = require("fs");
const readline = require("readline");
const yaml = require("js-yaml");
const { AppService, AppServiceRegistration } = require("matrix-appservice");

const [command, registrationFile, ...rest] = process.argv.slice(2);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

if (command === "register") {
  const [url, serverName] = rest;
  const reg = new AppServiceRegistration(url);
  reg.setId("relay");
  reg.setHomeserverToken(AppServiceRegistration.generateToken());
  reg.setAppServiceToken(AppServiceRegistration.generateToken());
  reg.setSenderLocalpart("relaybot");
  reg.setRateLimited(false);
  reg.addRegexPattern("users", `@_relay_.*:${serverName.replace(/\./g, "\\.")}`, true);
  reg.addRegexPattern("aliases", `#_relay_.*:${serverName.replace(/\./g, "\\.")}`, true);
  reg.outputAsYaml(registrationFile);
} else if (command === "run") {
  const [homeserverUrl, port, serverName] = rest;
  const reg = AppServiceRegistration.fromObject(yaml.load(fs.readFileSync(registrationFile, "utf8")));
  const asToken = reg.getAppServiceToken();

  // The homeserver side is plain fetch with the as_token, acting as a ghost through user_id.
  async function call(method, path, body, userId) {
    const url = new URL(homeserverUrl + path);
    if (userId) url.searchParams.set("user_id", userId);
    const res = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${asToken}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`), { body: json });
    return json;
  }

  const as = new AppService({ homeserverToken: reg.getHomeserverToken() });
  as.on("event", (event) => print({ event }));
  as.onAliasQuery = async (alias) => {
    const localpart = alias.slice(1, alias.indexOf(":"));
    const room = await call("POST", "/_matrix/client/v3/createRoom",
      { preset: "public_chat", room_alias_name: localpart, name: `Portal ${localpart}` });
    print({ portal: room.room_id, alias });
  };

  let txn = 0;
  async function relay({ room_id: roomId, from, text }) {
    const ghost = `@_relay_${from}:${serverName}`;
    try {
      await call("POST", "/_matrix/client/v3/register",
        { type: "m.login.application_service", username: `_relay_${from}`, inhibit_login: true });
    } catch (e) {
      if (e.body?.errcode !== "M_USER_IN_USE") throw e;
    }
    await call("POST", `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {}, ghost);
    const sent = await call("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/relay${++txn}`,
      { msgtype: "m.text", body: text }, ghost);
    print({ sent: sent.event_id, user_id: ghost });
  }

  // One line at a time, so the remote network's messages reach Matrix in the order they came.
  let queue = Promise.resolve();
  readline.createInterface({ input: process.stdin }).on("line", (line) => {
    queue = queue.then(() => relay(JSON.parse(line))).catch((e) => print({ error: e.message }));
  });

  as.listen(Number(port), "127.0.0.1").then(() => print({ ready: true }));
} else {
  console.error("usage: bridge.cjs register FILE URL SERVER_NAME | run FILE HOMESERVER_URL PORT SERVER_NAME");
  process.exit(2);
}
