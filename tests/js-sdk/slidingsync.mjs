// Simplified sliding sync (MSC4186) with matrix-js-sdk's own SlidingSync driving startClient, as
// Element X drives the server through matrix-rust-sdk: the room list, messages, receipts, typing and
// to-device messages reach the client, and the connection carries on across a restart of the server
// (no room is sent again as initial, nothing is lost or repeated).
//
// Usage:  HOMESERVER_URL=http://127.0.0.1:8008 HOMESERVER_RESTART="<command>" node slidingsync.mjs
//
// Prints one PASS/FAIL line per check; last line is `slidingsync: <passed> passed, <failed> failed`.

import { execSync } from "node:child_process";
import { ClientEvent, Method, RoomEvent, RoomMemberEvent } from "matrix-js-sdk";
import { SlidingSync, SlidingSyncEvent } from "matrix-js-sdk/lib/sliding-sync.js";
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

begin("slidingsync", 20 * TIMEOUT_MS + 180000);
console.log(`js-sdk sliding sync test against ${BASE_URL} (matrix-js-sdk ${await sdkVersion()})`);

const RESTART = process.env.HOMESERVER_RESTART;
const DELIVERY_MS = 20000;
const password = () => `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;

async function waitFor(what, predicate, ms = DELIVERY_MS) {
    const deadline = Date.now() + ms;
    while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
    }
}

let alice, bob, aliceId, bobId, bobDevice, roomId, sliding;
const bodies = [];
const sent = [];
const receipts = [];
const typing = [];
const toDevice = [];
let initialAfterRestart = 0;
let restarted = false;

/** Retries a send the restart interrupted with the same transaction ID, so it cannot duplicate. */
async function send(body) {
    const txnId = `ss-${body}-${Date.now()}`;
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

const ready = await check("register alice and bob, a room they share, two rooms of bob's own", async () => {
    const a = await registerUser(randomLocalpart("jssalice"), password(), "js-sdk sliding sync (alice)");
    const b = await registerUser(randomLocalpart("jssbob"), password(), "js-sdk sliding sync (bob)");
    alice = newClient({ accessToken: a.access_token, userId: a.user_id, deviceId: a.device_id });
    bob = newClient({ accessToken: b.access_token, userId: b.user_id, deviceId: b.device_id });
    aliceId = a.user_id;
    bobId = b.user_id;
    bobDevice = b.device_id;
    await bob.createRoom({ name: "bob alone 1" });
    await bob.createRoom({ name: "bob alone 2" });
    roomId = (await alice.createRoom({ preset: "private_chat", name: "shared", invite: [bobId] })).room_id;
    await bob.joinRoom(roomId);
    await send("m1");
    return roomId;
});

const started = ready && (await check("bob's startClient with SlidingSync lists his three rooms", async () => {
    const lists = new Map([["all_rooms", { ranges: [[0, 19]], timeline_limit: 10, required_state: [["*", "*"]] }]]);
    sliding = new SlidingSync(BASE_URL, lists, { timeline_limit: 10, required_state: [["*", "*"]] }, bob, 10000);
    sliding.on(SlidingSyncEvent.RoomData, (id, data) => {
        if (restarted && data.initial) initialAfterRestart++;
    });
    bob.on(RoomEvent.Timeline, (event, room, toStartOfTimeline) => {
        if (toStartOfTimeline || room?.roomId !== roomId || event.getType() !== "m.room.message") return;
        bodies.push(event.getContent().body);
    });
    bob.on(RoomEvent.Receipt, (event, room) => {
        if (room?.roomId === roomId) receipts.push(event.getContent());
    });
    bob.on(RoomMemberEvent.Typing, (event, member) => {
        typing.push({ user: member.userId, typing: member.typing });
    });
    bob.on(ClientEvent.ToDeviceEvent, (event) => {
        if (event.getType() === "org.example.ping") toDevice.push(event.getContent().n);
    });
    await bob.startClient({ slidingSync: sliding });
    await waitFor("three rooms", () => bob.getRooms().length === 3 && sliding.getListData("all_rooms")?.joinedCount === 3);
    await waitFor("m1", () => bodies.includes("m1"));
    return bob.getRooms().map((r) => r.name).sort().join(", ");
}));

if (started) {
    await check("a message reaches the client by long polling", async () => {
        await send("m2");
        await waitFor("m2", () => bodies.includes("m2"));
        assert(JSON.stringify(bodies) === JSON.stringify(sent), `saw ${JSON.stringify(bodies)}, sent ${JSON.stringify(sent)}`);
    });

    await check("alice's read receipt reaches the client", async () => {
        const eventId = bob.getRoom(roomId).getLiveTimeline().getEvents().filter((e) => e.getType() === "m.room.message").at(-1).getId();
        await alice.http.authedRequest(Method.Post, `/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(eventId)}`, undefined, {});
        await waitFor("the receipt", () => receipts.some((c) => c[eventId]?.["m.read"]?.[aliceId]));
        return eventId;
    });

    await check("alice typing, then stopping, reaches the client", async () => {
        await alice.sendTyping(roomId, true, 30000);
        await waitFor("typing", () => typing.some((t) => t.user === aliceId && t.typing));
        await alice.sendTyping(roomId, false);
        await waitFor("typing stopped", () => typing.some((t) => t.user === aliceId && !t.typing));
    });

    await check("a to-device message reaches the client", async () => {
        await alice.sendToDevice("org.example.ping", new Map([[bobId, new Map([[bobDevice, { n: 1 }]])]]));
        await waitFor("the to-device message", () => toDevice.includes(1));
    });

    const didRestart = await check("the server restarts (same data, same port)", async () => {
        assert(RESTART, "HOMESERVER_RESTART is not set");
        restarted = true;
        execSync(RESTART, { stdio: ["ignore", "ignore", "inherit"], timeout: 120000 });
        return "restarted";
    });

    if (didRestart) {
        await check("after the restart the connection carries on: no room sent again, nothing lost or repeated", async () => {
            await send("m3");
            await waitFor("m3 after the restart", () => bodies.includes("m3"), 60000);
            await alice.sendToDevice("org.example.ping", new Map([[bobId, new Map([[bobDevice, { n: 2 }]])]]));
            await waitFor("the second to-device message", () => toDevice.includes(2));
            await sleep(500);
            assert(JSON.stringify(bodies) === JSON.stringify(sent), `saw ${JSON.stringify(bodies)}, sent ${JSON.stringify(sent)}`);
            assert(initialAfterRestart === 0, `${initialAfterRestart} rooms were sent as initial again`);
            assert(JSON.stringify(toDevice) === "[1,2]", `to-device messages ${JSON.stringify(toDevice)}`);
            return sent.join(",");
        });
    }
}

bob?.stopClient();
finish();
process.exit();
