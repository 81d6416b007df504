// Rooms test: with the matrix-js-sdk client library, two users create a DM and
// a group room, invite and join, exchange messages, edit, react, redact, reply in
// a thread and page back (and forth) through history.
//
// There is no /sync on the server yet, so the client is never started
// (startClient); everything goes through the sdk's request-level calls
// (createRoom, invite, joinRoom, sendMessage/sendEvent, redactEvent,
// createMessagesRequest, fetchRoomEvent, fetchRelations, getStateEvent,
// getJoinedRoomMembers) and, where the sdk has no helper, client.http.authedRequest.
//
// Sending is rate limited per account (burst 10, then one event every 5 s), and
// Alice sends 60 messages for the paging checks, so this script takes about five
// minutes; 429s are waited out (retry_after_ms).
//
// Usage:  HOMESERVER_URL=http://127.0.0.1:8008 node rooms.mjs
// Optional env: see common.mjs.
//
// Prints one PASS/FAIL line per check; last line is
//   rooms: <passed> passed, <failed> failed
// Exit code 0 only if every check passed.

import { ClientPrefix, Direction, MatrixError, Method, MsgType, Preset } from "matrix-js-sdk";
import {
    AssertionFailure,
    BASE_URL,
    MAX_RATE_LIMIT_WAIT_MS,
    TIMEOUT_MS,
    assert,
    begin,
    check,
    finish,
    newClient,
    randomLocalpart,
    registerUser,
    sdkVersion,
    skip,
    withRateLimitRetry,
} from "./common.mjs";

const PAGING_MESSAGES = 60;
const PAGE_SIZE = 25;
const MESSAGE_INTERVAL_MS = 5000; // the server's default message rate: 0.2/s per account
const MAX_PAGES = 100; // a pagination that never ends is a failure, not a hang

// --- helpers -----------------------------------------------------------------------

/** Runs a check only when every named prerequisite is there; otherwise reports it as not run. */
async function step(name, needs, fn) {
    const missing = Object.entries(needs)
        .filter(([, v]) => !v)
        .map(([k]) => k);
    if (missing.length > 0) {
        skip(name, `needs ${missing.join(", ")}`);
        return false;
    }
    return check(name, fn);
}

/** sendEvent with 429s waited out; resolves to the new event id. */
async function send(client, roomId, content, type = "m.room.message") {
    // A fresh copy per attempt: the sdk wraps the content in a local event.
    const res = await withRateLimitRetry(() => client.sendEvent(roomId, type, structuredClone(content)));
    assert(typeof res?.event_id === "string" && res.event_id.startsWith("$"), `send ${type} gave ${JSON.stringify(res)}`);
    return res.event_id;
}

const text = (body) => ({ msgtype: MsgType.Text, body });

/** Every event of the room's timeline as `client` pages through it with /messages, following `end`. */
async function pageAll(client, roomId, dir) {
    const events = [];
    const pages = [];
    let from = null;
    for (;;) {
        assert(pages.length < MAX_PAGES, `still paging after ${MAX_PAGES} pages (dir ${dir}); last end token ${from}`);
        const res = await client.createMessagesRequest(roomId, from, PAGE_SIZE, dir);
        assert(Array.isArray(res?.chunk), `/messages (dir ${dir}, from ${from}) gave no chunk: ${JSON.stringify(res)}`);
        assert(
            res.chunk.length <= PAGE_SIZE,
            `/messages (dir ${dir}, limit ${PAGE_SIZE}) returned ${res.chunk.length} events`,
        );
        pages.push(res.chunk.length);
        events.push(...res.chunk);
        if (!res.end) break;
        assert(res.end !== from, `/messages (dir ${dir}) returned end == from (${from}): pagination would loop`);
        from = res.end;
    }
    return { events, pages };
}

function duplicates(ids) {
    const seen = new Set();
    const dup = new Set();
    for (const id of ids) (seen.has(id) ? dup : seen).add(id);
    return [...dup];
}

function sameSequence(got, want, what) {
    const n = Math.max(got.length, want.length);
    for (let i = 0; i < n; i++) {
        if (got[i] !== want[i]) {
            throw new AssertionFailure(
                `${what}: got ${got.length} events, expected ${want.length}; first difference at #${i}: ` +
                    `${got[i] ?? "(none)"} instead of ${want[i] ?? "(none)"}`,
            );
        }
    }
}

function bodiesIn(events, ids) {
    const byId = new Map(events.map((e) => [e.event_id, e]));
    return ids.map((id) => byId.get(id));
}

/** Raw authorised GET of a client-server path (for endpoints the sdk wraps only with room/timeline objects). */
function authedGet(client, path, query = {}, prefix = ClientPrefix.V3) {
    return client.http.authedRequest(Method.Get, path, query, undefined, { prefix });
}

const enc = encodeURIComponent;

// --- main --------------------------------------------------------------------
begin("rooms", 60 * TIMEOUT_MS + 6 * MAX_RATE_LIMIT_WAIT_MS + (PAGING_MESSAGES + 20) * (MESSAGE_INTERVAL_MS + 1000));

console.log(`js-sdk rooms test against ${BASE_URL} (matrix-js-sdk ${await sdkVersion()})`);

const users = {
    alice: { username: randomLocalpart("jsalice") },
    bob: { username: randomLocalpart("jsbob") },
    carol: { username: randomLocalpart("jscarol") },
};
for (const u of Object.values(users)) u.password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
console.log(`users: ${Object.values(users).map((u) => u.username).join(", ")}`);

// (1) Three users registered through UIA; registration's access token is used directly
//     (logins are rate limited to 5 per address and smoke/media already use some).
for (const [name, u] of Object.entries(users)) {
    await check(`register ${name} (UIA) and use its access token`, async () => {
        const reg = await registerUser(u.username, u.password, `js-sdk rooms (${name})`);
        assert(typeof reg.access_token === "string" && reg.access_token, `register gave no access_token: ${JSON.stringify(reg)}`);
        const client = newClient({ accessToken: reg.access_token, userId: reg.user_id, deviceId: reg.device_id });
        const me = await client.whoami();
        assert(me.user_id === reg.user_id, `whoami says ${me.user_id}, expected ${reg.user_id}`);
        u.client = client;
        u.id = reg.user_id;
        return `${reg.user_id} device ${reg.device_id}`;
    });
}
const alice = users.alice.client;
const bob = users.bob.client;
const carol = users.carol.client;

// (2) The DM: trusted_private_chat with is_direct, Bob invited at creation.
let dmId = null;
await step("alice creates a DM with bob (trusted_private_chat, is_direct)", { alice, bob }, async () => {
    const res = await alice.createRoom({
        preset: Preset.TrustedPrivateChat,
        is_direct: true,
        invite: [users.bob.id],
    });
    assert(typeof res?.room_id === "string" && res.room_id.startsWith("!"), `createRoom gave ${JSON.stringify(res)}`);
    dmId = res.room_id;
    return dmId;
});

await step("bob's invite into the DM has is_direct: true (GET state/m.room.member/{bob})", { dm: dmId }, async () => {
    const content = await alice.getStateEvent(dmId, "m.room.member", users.bob.id);
    assert(content?.membership === "invite", `bob's membership content is ${JSON.stringify(content)}, expected membership invite`);
    assert(content.is_direct === true, `bob's invite content has is_direct ${JSON.stringify(content.is_direct)}: ${JSON.stringify(content)}`);
    return JSON.stringify(content);
});

let dmJoined = false;
dmJoined = await step("bob joins the DM", { dm: dmId }, async () => {
    await bob.joinRoom(dmId);
    const content = await bob.getStateEvent(dmId, "m.room.member", users.bob.id);
    assert(content?.membership === "join", `bob's membership after joining is ${JSON.stringify(content)}`);
    const members = await bob.getJoinedRoomMembers(dmId);
    const ids = Object.keys(members?.joined ?? {}).sort();
    sameSequence(ids, [users.alice.id, users.bob.id].sort(), "DM joined_members");
    return `joined_members: ${ids.join(", ")}`;
});

const dm = {};
await step("alice and bob exchange messages in the DM", { "bob in the DM": dmJoined }, async () => {
    dm.a1 = await send(alice, dmId, text("hi bob, this is our DM"));
    dm.b1 = await send(bob, dmId, text("hi alice!"));
    dm.a2 = await send(alice, dmId, text("how are you?"));
    const want = [dm.a1, dm.b1, dm.a2];
    const seen = [];
    for (const [who, c] of [["alice", alice], ["bob", bob]]) {
        const res = await c.createMessagesRequest(dmId, null, 10, Direction.Backward);
        const got = (res?.chunk ?? []).filter((e) => want.includes(e.event_id)).map((e) => e.event_id).reverse();
        sameSequence(got, want, `${who}'s /messages of the DM`);
        const evs = bodiesIn(res.chunk, want);
        assert(
            evs[0].sender === users.alice.id && evs[1].sender === users.bob.id && evs[0].content.body === "hi bob, this is our DM",
            `${who} sees wrong senders/bodies: ${JSON.stringify(evs.map((e) => [e.sender, e.content?.body]))}`,
        );
        seen.push(who);
    }
    return `3 messages, in order, seen by ${seen.join(" and ")}`;
});

// (3) The group: private room, Bob and Carol invited afterwards with /invite, both join.
let groupId = null;
await step("alice creates a private group room", { alice }, async () => {
    const res = await alice.createRoom({ preset: Preset.PrivateChat, name: "js-sdk rooms group", topic: "edits, reactions, redactions, paging" });
    assert(typeof res?.room_id === "string" && res.room_id.startsWith("!"), `createRoom gave ${JSON.stringify(res)}`);
    groupId = res.room_id;
    return groupId;
});

await step("alice invites bob and carol (/invite)", { group: groupId, bob, carol }, async () => {
    await alice.invite(groupId, users.bob.id);
    await alice.invite(groupId, users.carol.id);
    for (const name of ["bob", "carol"]) {
        const content = await alice.getStateEvent(groupId, "m.room.member", users[name].id);
        assert(content?.membership === "invite", `${name}'s membership is ${JSON.stringify(content)}, expected invite`);
    }
    return "both invited";
});

let groupJoined = false;
groupJoined = await step("bob and carol join the group", { group: groupId, bob, carol }, async () => {
    await bob.joinRoom(groupId);
    await carol.joinRoom(groupId);
    return "both joined";
});

await step("GET joined_members lists alice, bob and carol", { "group joins": groupJoined }, async () => {
    const res = await carol.getJoinedRoomMembers(groupId);
    const ids = Object.keys(res?.joined ?? {}).sort();
    sameSequence(ids, [users.alice.id, users.bob.id, users.carol.id].sort(), "joined_members");
    return ids.join(", ");
});

const group = {};
await step("alice, bob and carol each send a message to the group", { "group joins": groupJoined }, async () => {
    group.alice = await send(alice, groupId, text("hello group, this is alice"));
    group.bob = await send(bob, groupId, text("bob here"));
    group.carol = await send(carol, groupId, text("carol here (I will delete this)"));
    const want = [group.alice, group.bob, group.carol];
    const res = await alice.createMessagesRequest(groupId, null, 10, Direction.Backward);
    const got = (res?.chunk ?? []).filter((e) => want.includes(e.event_id)).map((e) => e.event_id).reverse();
    sameSequence(got, want, "alice's /messages of the group");
    return "3 messages, in order";
});

// (4) Edit: m.replace with m.new_content; the original then carries the edit in unsigned m.relations.
let editId = null;
await step("alice edits her message (m.replace with m.new_content)", { "alice's message": group.alice }, async () => {
    editId = await send(alice, groupId, {
        msgtype: MsgType.Text,
        body: " * hello group, this is alice (edited)",
        "m.new_content": { msgtype: MsgType.Text, body: "hello group, this is alice (edited)" },
        "m.relates_to": { rel_type: "m.replace", event_id: group.alice },
    });
    return editId;
});

await step(
    'GET /rooms/{roomId}/event/{original}: unsigned["m.relations"]["m.replace"].event_id is the edit',
    { edit: editId },
    async () => {
        const ev = await bob.fetchRoomEvent(groupId, group.alice);
        assert(ev?.event_id === group.alice, `fetchRoomEvent gave ${JSON.stringify(ev)}`);
        const replace = ev.unsigned?.["m.relations"]?.["m.replace"];
        assert(replace, `original has no unsigned m.relations m.replace: unsigned ${JSON.stringify(ev.unsigned)}`);
        assert(replace.event_id === editId, `m.replace.event_id is ${replace.event_id}, expected the edit ${editId}`);
        return `m.replace -> ${replace.event_id}`;
    },
);

// React: an m.annotation from Bob, listed by /relations.
let reactionId = null;
await step('bob reacts to alice\'s message (m.reaction, m.annotation key "👍")', { "alice's message": group.alice }, async () => {
    reactionId = await send(bob, groupId, { "m.relates_to": { rel_type: "m.annotation", event_id: group.alice, key: "👍" } }, "m.reaction");
    return reactionId;
});

await step("GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/m.annotation lists the reaction", { reaction: reactionId }, async () => {
    const res = await alice.fetchRelations(groupId, group.alice, "m.annotation", null, { dir: Direction.Backward });
    assert(Array.isArray(res?.chunk), `relations gave no chunk: ${JSON.stringify(res)}`);
    const ev = res.chunk.find((e) => e.event_id === reactionId);
    assert(ev, `reaction ${reactionId} not among ${JSON.stringify(res.chunk.map((e) => e.event_id))}`);
    assert(ev.type === "m.reaction" && ev.sender === users.bob.id, `listed as type ${ev.type} from ${ev.sender}`);
    const rel = ev.content?.["m.relates_to"];
    assert(
        rel?.rel_type === "m.annotation" && rel.event_id === group.alice && rel.key === "👍",
        `reaction m.relates_to is ${JSON.stringify(rel)}`,
    );
    assert(
        !res.chunk.some((e) => e.event_id === editId),
        "the edit (m.replace) is listed among the m.annotation relations",
    );
    return `${res.chunk.length} annotation(s), 👍 from ${ev.sender}`;
});

// Redact: Carol redacts her own message; Bob may not redact Alice's.
let redactionId = null;
await step("carol redacts her own message (redactEvent)", { "carol's message": group.carol }, async () => {
    const res = await withRateLimitRetry(() => carol.redactEvent(groupId, group.carol, undefined, { reason: "oops" }));
    assert(typeof res?.event_id === "string" && res.event_id.startsWith("$"), `redactEvent gave ${JSON.stringify(res)}`);
    redactionId = res.event_id;
    return redactionId;
});

await step("the redacted message has no body and has unsigned.redacted_because", { redaction: redactionId }, async () => {
    const ev = await alice.fetchRoomEvent(groupId, group.carol);
    assert(ev?.event_id === group.carol, `fetchRoomEvent gave ${JSON.stringify(ev)}`);
    assert(ev.content && !("body" in ev.content), `content still has body: ${JSON.stringify(ev.content)}`);
    assert(!("msgtype" in (ev.content ?? {})), `content still has msgtype: ${JSON.stringify(ev.content)}`);
    const because = ev.unsigned?.redacted_because;
    assert(because, `no unsigned.redacted_because: unsigned ${JSON.stringify(ev.unsigned)}`);
    assert(
        because.event_id === redactionId,
        `redacted_because.event_id is ${because.event_id}, expected the redaction ${redactionId}`,
    );
    return `content ${JSON.stringify(ev.content)}, redacted_because ${because.event_id}`;
});

await step("bob redacting alice's message is refused with 403 M_FORBIDDEN", { "alice's message": group.alice, bob }, async () => {
    let res;
    try {
        res = await withRateLimitRetry(() => bob.redactEvent(groupId, group.alice));
    } catch (e) {
        if (!(e instanceof MatrixError)) throw e;
        assert(e.httpStatus === 403 && e.errcode === "M_FORBIDDEN", `got HTTP ${e.httpStatus} ${e.errcode}, expected 403 M_FORBIDDEN`);
        const ev = await alice.fetchRoomEvent(groupId, group.alice);
        assert(ev?.content?.body === "hello group, this is alice", `alice's message changed: ${JSON.stringify(ev?.content)}`);
        assert(!ev.unsigned?.redacted_because, `alice's message has redacted_because ${JSON.stringify(ev.unsigned.redacted_because)}`);
        return `HTTP 403 M_FORBIDDEN: ${e.data?.error ?? ""}`;
    }
    throw new AssertionFailure(`the redaction was accepted: ${JSON.stringify(res)}`);
});

// (5) Paging: 60 messages from Alice; Bob pages back (dir b) and forwards (dir f) with limit 25.
const sent = []; // event ids in sending order
await step(`alice sends ${PAGING_MESSAGES} messages to the group`, { "group joins": groupJoined }, async () => {
    const started = Date.now();
    for (let i = 1; i <= PAGING_MESSAGES; i++) sent.push(await send(alice, groupId, text(`paging message ${i} of ${PAGING_MESSAGES}`)));
    assert(duplicates(sent).length === 0, `the server gave the same event id twice: ${duplicates(sent).join(", ")}`);
    return `${sent.length} sent in ${Math.round((Date.now() - started) / 1000)} s`;
});

const paged = sent.length === PAGING_MESSAGES;
await step(`bob pages back (dir b, limit ${PAGE_SIZE}) following end: every message once, newest first`, { "the messages": paged }, async () => {
    const { events, pages } = await pageAll(bob, groupId, Direction.Backward);
    const ids = events.map((e) => e.event_id);
    const dup = duplicates(ids);
    assert(dup.length === 0, `${dup.length} event(s) returned more than once, e.g. ${dup.slice(0, 3).join(", ")}`);
    const wanted = new Set(sent);
    const got = ids.filter((id) => wanted.has(id));
    sameSequence(got, [...sent].reverse(), "backward pagination");
    assert(ids.includes(group.alice), `alice's first group message ${group.alice} is not in the history`);
    const first = events.at(-1);
    assert(first.type === "m.room.create", `the oldest event reached is ${first.type}, not m.room.create`);
    const bodies = bodiesIn(events, [sent[0], sent.at(-1)]).map((e) => e.content?.body);
    assert(bodies[0] === `paging message 1 of ${PAGING_MESSAGES}`, `first message body ${JSON.stringify(bodies[0])}`);
    return `${events.length} events in ${pages.length} pages [${pages.join(", ")}], ${got.length} paging messages in reverse order, down to m.room.create`;
});

await step(`bob pages forwards from the start (dir f, limit ${PAGE_SIZE}): the same messages in order`, { "the messages": paged }, async () => {
    const { events, pages } = await pageAll(bob, groupId, Direction.Forward);
    const ids = events.map((e) => e.event_id);
    const dup = duplicates(ids);
    assert(dup.length === 0, `${dup.length} event(s) returned more than once, e.g. ${dup.slice(0, 3).join(", ")}`);
    assert(events[0]?.type === "m.room.create", `the first event is ${events[0]?.type}, not m.room.create`);
    const wanted = new Set(sent);
    const got = ids.filter((id) => wanted.has(id));
    sameSequence(got, sent, "forward pagination");
    return `${events.length} events in ${pages.length} pages [${pages.join(", ")}], ${got.length} paging messages in order`;
});

// (6) Thread: Bob replies in a thread to one of Alice's messages; /threads lists the root.
const root = sent[0];
let threadReplyId = null;
await step("bob replies in a thread (rel_type m.thread)", { "thread root": root }, async () => {
    threadReplyId = await send(bob, groupId, {
        msgtype: MsgType.Text,
        body: "a reply in a thread",
        "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } },
    });
    return `${threadReplyId} in the thread of ${root}`;
});

await step("GET /_matrix/client/v1/rooms/{roomId}/threads lists the root", { "thread reply": threadReplyId }, async () => {
    const res = await authedGet(alice, `/rooms/${enc(groupId)}/threads`, { include: "all" }, ClientPrefix.V1);
    assert(Array.isArray(res?.chunk), `/threads gave no chunk: ${JSON.stringify(res)}`);
    const ev = res.chunk.find((e) => e.event_id === root);
    assert(ev, `root ${root} not among the threads ${JSON.stringify(res.chunk.map((e) => e.event_id))}`);
    assert(res.chunk.length === 1, `expected 1 thread, got ${res.chunk.length}`);
    const summary = ev.unsigned?.["m.relations"]?.["m.thread"];
    assert(summary, `the root has no unsigned m.relations m.thread summary: ${JSON.stringify(ev.unsigned)}`);
    assert(summary.count === 1, `thread summary count ${summary.count}, expected 1`);
    assert(summary.latest_event?.event_id === threadReplyId, `thread latest_event is ${summary.latest_event?.event_id}, expected ${threadReplyId}`);
    return `root ${root}, count ${summary.count}, latest ${summary.latest_event.event_id}`;
});

await step("bob's thread: participated filter and /relations/{root}/m.thread", { "thread reply": threadReplyId }, async () => {
    const mine = await authedGet(bob, `/rooms/${enc(groupId)}/threads`, { include: "participated" }, ClientPrefix.V1);
    assert(mine?.chunk?.some((e) => e.event_id === root), `bob's participated threads ${JSON.stringify(mine?.chunk?.map((e) => e.event_id))} lack the root`);
    const carols = await authedGet(carol, `/rooms/${enc(groupId)}/threads`, { include: "participated" }, ClientPrefix.V1);
    assert(Array.isArray(carols?.chunk) && carols.chunk.length === 0, `carol has not taken part, yet her participated threads are ${JSON.stringify(carols?.chunk?.map((e) => e.event_id))}`);
    const rel = await bob.fetchRelations(groupId, root, "m.thread", null, { dir: Direction.Backward });
    assert(rel?.chunk?.length === 1 && rel.chunk[0].event_id === threadReplyId, `relations m.thread gave ${JSON.stringify(rel?.chunk?.map((e) => e.event_id))}`);
    return "participated: bob yes, carol no; relations lists the reply";
});

finish();
// The sdk arms a (non-unref'd) timer per request for localTimeoutMs; don't wait for them.
process.exit();
