// Real-time delivery: matrix-js-sdk's startClient (long polling) and a plain WebSocket
// client both receive every message another user sends, in order and exactly once,
// across a WebSocket reconnect and a restart of the server.
//
// Usage:  HOMESERVER_URL=http://127.0.0.1:8008 HOMESERVER_RESTART="<command>" node sync.mjs
//   HOMESERVER_RESTART  shell command that restarts the server on the same data and port
//                       (tests/run.sh passes one); without it the restart checks fail.
//
// Prints one PASS/FAIL line per check; last line is `sync: <passed> passed, <failed> failed`.

import { execSync } from "node:child_process";
import { ClientEvent, RoomEvent, SyncState } from "matrix-js-sdk";
import WebSocket from "ws";
import {
    BASE_URL,
    TIMEOUT_MS,
    assert,
    begin,
    check,
    finish,
    newClient,
    randomLocalpart,
    registerUser,
    sdkVersion,
    sleep,
    withRateLimitRetry,
} from "./common.mjs";

begin("sync", 40 * TIMEOUT_MS + 120000);
console.log(`js-sdk sync test against ${BASE_URL} (matrix-js-sdk ${await sdkVersion()})`);

const RESTART = process.env.HOMESERVER_RESTART;
const DELIVERY_MS = 20000;

/** Resolves once predicate() holds, polling; rejects with `what` after ms. */
async function waitFor(what, predicate, ms = DELIVERY_MS) {
    const deadline = Date.now() + ms;
    while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
    }
}

/**
 * A WebSocket sync client (docs/websocket-sync.md): collects the message bodies of one room
 * from every frame and remembers the last next_batch, so a reconnect resumes from it.
 */
class WsSync {
    constructor(token, roomId) {
        this.token = token;
        this.roomId = roomId;
        this.bodies = [];
        this.since = null;
        this.frames = 0;
        this.socket = null;
    }

    async connect() {
        const url = new URL("/_matrix/client/v3/sync", BASE_URL.replace(/^http/, "ws"));
        url.searchParams.set("access_token", this.token);
        if (this.since) url.searchParams.set("since", this.since);
        const framesBefore = this.frames;
        this.socket = new WebSocket(url);
        this.socket.on("message", (data) => {
            const frame = JSON.parse(data.toString());
            this.frames++;
            this.since = frame.next_batch;
            const events = frame.rooms?.join?.[this.roomId]?.timeline?.events ?? [];
            for (const e of events) if (e.type === "m.room.message") this.bodies.push(e.content.body);
        });
        await new Promise((resolve, reject) => {
            this.socket.once("open", resolve);
            this.socket.once("error", reject);
        });
        // The first frame answers the connection: from then on nothing before `since` can arrive.
        await waitFor("the first WebSocket frame", () => this.frames > framesBefore);
    }

    async close() {
        if (!this.socket || this.socket.readyState === WebSocket.CLOSED) return;
        const closed = new Promise((resolve) => this.socket.once("close", resolve));
        this.socket.close(1000, "bye");
        await closed;
    }
}

const password = () => `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
let alice, bob, bobId, bobToken, roomId;
const sdkBodies = [];
let sdkState = null;
const sent = [];

/** Sends with a fixed transaction ID, so retrying on a connection the restart broke cannot duplicate it. */
async function send(body) {
    const txnId = `sync-${body}-${Date.now()}`;
    for (let attempt = 1; ; attempt++) {
        try {
            await withRateLimitRetry(() => alice.sendEvent(roomId, "m.room.message", { msgtype: "m.text", body }, txnId));
            break;
        } catch (e) {
            if (e?.name !== "ConnectionError" || attempt >= 5) throw e;
            await sleep(500);
        }
    }
    sent.push(body);
}

const ready = await check("register alice and bob, alice's room, bob joins", async () => {
    const a = await registerUser(randomLocalpart("jsyncalice"), password(), "js-sdk sync (alice)");
    const b = await registerUser(randomLocalpart("jsyncbob"), password(), "js-sdk sync (bob)");
    alice = newClient({ accessToken: a.access_token, userId: a.user_id, deviceId: a.device_id });
    bob = newClient({ accessToken: b.access_token, userId: b.user_id, deviceId: b.device_id });
    bobId = b.user_id;
    bobToken = b.access_token;
    roomId = (await alice.createRoom({ preset: "private_chat", invite: [bobId] })).room_id;
    await bob.joinRoom(roomId);
    return roomId;
});

const ws = ready ? new WsSync(bobToken, roomId) : null;

const started = ready && (await check("bob's startClient reaches PREPARED (long polling)", async () => {
    bob.on(ClientEvent.Sync, (state) => {
        sdkState = state;
    });
    bob.on(RoomEvent.Timeline, (event, room, toStartOfTimeline) => {
        if (toStartOfTimeline || room?.roomId !== roomId || event.getType() !== "m.room.message") return;
        sdkBodies.push(event.getContent().body);
    });
    await bob.startClient({ initialSyncLimit: 20 });
    await waitFor("sync state PREPARED or SYNCING", () => sdkState === SyncState.Prepared || sdkState === SyncState.Syncing);
    return sdkState;
}));

const wsOpen = started && (await check("a plain WebSocket client connects to /sync", async () => {
    await ws.connect();
    return `since ${ws.since}`;
}));

if (started && wsOpen) {
    await check("a message from alice reaches startClient and the WebSocket", async () => {
        await send("m1");
        await waitFor("m1 in startClient", () => sdkBodies.includes("m1"));
        await waitFor("m1 on the WebSocket", () => ws.bodies.includes("m1"));
    });

    await check("three quick messages arrive in order on both transports", async () => {
        for (const b of ["m2", "m3", "m4"]) await send(b);
        await waitFor("m4 on both", () => sdkBodies.includes("m4") && ws.bodies.includes("m4"));
        assert(JSON.stringify(sdkBodies) === JSON.stringify(sent), `startClient saw ${JSON.stringify(sdkBodies)}, sent ${JSON.stringify(sent)}`);
        assert(JSON.stringify(ws.bodies) === JSON.stringify(sent), `WebSocket saw ${JSON.stringify(ws.bodies)}, sent ${JSON.stringify(sent)}`);
    });

    await check("a WebSocket reconnect from the last token misses nothing and repeats nothing", async () => {
        await ws.close();
        await send("m5");
        await ws.connect();
        await waitFor("m5 after the reconnect", () => ws.bodies.includes("m5"));
        assert(JSON.stringify(ws.bodies) === JSON.stringify(sent), `WebSocket saw ${JSON.stringify(ws.bodies)}, sent ${JSON.stringify(sent)}`);
    });

    const restarted = await check("the server restarts (same data, same port)", async () => {
        assert(RESTART, "HOMESERVER_RESTART is not set");
        await ws.close();
        execSync(RESTART, { stdio: ["ignore", "ignore", "inherit"], timeout: 120000 });
        return "restarted";
    });

    if (restarted) {
        await check("after the restart both transports resume from their tokens: no loss, no duplicate", async () => {
            await send("m6");
            await ws.connect();
            await send("m7");
            await waitFor("m7 in startClient", () => sdkBodies.includes("m7"), 60000);
            await waitFor("m7 on the WebSocket", () => ws.bodies.includes("m7"));
            // A moment for any duplicate to show up before comparing.
            await sleep(500);
            assert(JSON.stringify(sdkBodies) === JSON.stringify(sent), `startClient saw ${JSON.stringify(sdkBodies)}, sent ${JSON.stringify(sent)}`);
            assert(JSON.stringify(ws.bodies) === JSON.stringify(sent), `WebSocket saw ${JSON.stringify(ws.bodies)}, sent ${JSON.stringify(sent)}`);
            return sent.join(",");
        });
    }
    await ws.close().catch(() => {});
}

bob?.stopClient();
finish();
process.exit();
