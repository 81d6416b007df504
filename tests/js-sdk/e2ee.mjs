// End-to-end encryption with matrix-js-sdk's Rust crypto: two clients publish device and
// one-time keys, Alice sends in an encrypted room (m.room.encryption), and Bob decrypts it.
// Underneath: /keys/upload, /keys/query, /keys/claim, the room key travelling as an Olm
// to-device message, device_lists and one-time key counts in /sync.
//
// Usage:  HOMESERVER_URL=http://127.0.0.1:8008 node e2ee.mjs
//
// Prints one PASS/FAIL line per check; last line is `e2ee: <passed> passed, <failed> failed`.

import { ClientEvent, MatrixEventEvent, SyncState } from "matrix-js-sdk";
import {
    AssertionFailure,
    BASE_URL,
    DEBUG,
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
    sleep,
    withRateLimitRetry,
} from "./common.mjs";

// The Rust crypto layer traces through console.debug/info and parts of the sdk warn through the
// console directly, not through the logger the clients are given; the report uses console.log only.
if (!DEBUG) for (const level of ["debug", "info", "warn", "error"]) console[level] = () => {};

begin("e2ee", 20 * TIMEOUT_MS + 60000);
console.log(`js-sdk e2ee test against ${BASE_URL} (matrix-js-sdk ${await sdkVersion()})`);

const WAIT_MS = 30000;
const SECRET = `the password is ${Math.random().toString(36).slice(2)}`;

async function waitFor(what, predicate, ms = WAIT_MS) {
    const deadline = Date.now() + ms;
    while (!(await predicate())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(100);
    }
}

/** Registers, creates the client with an in-memory Rust crypto store and starts syncing. */
async function startCryptoClient(prefix) {
    const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const reg = await registerUser(randomLocalpart(prefix), password, `js-sdk e2ee (${prefix})`);
    const client = newClient({ accessToken: reg.access_token, userId: reg.user_id, deviceId: reg.device_id });
    await client.initRustCrypto({ useIndexedDB: false });
    let state = null;
    client.on(ClientEvent.Sync, (s) => (state = s));
    await client.startClient({ initialSyncLimit: 10 });
    await waitFor(`${prefix}'s first sync`, () => state === SyncState.Prepared || state === SyncState.Syncing);
    return client;
}

let alice, bob, roomId;
const clients = [];

const ready = await check("two clients with Rust crypto start and sync", async () => {
    alice = await startCryptoClient("je2ealice");
    clients.push(alice);
    bob = await startCryptoClient("je2ebob");
    clients.push(bob);
    assert(alice.getCrypto() && bob.getCrypto(), "getCrypto() is undefined after initRustCrypto");
    return `${alice.getUserId()} / ${alice.getDeviceId()}, ${bob.getUserId()} / ${bob.getDeviceId()}`;
});

if (!ready) {
    for (const name of ["device keys published", "encrypted room", "bob decrypts alice's message", "alice decrypts bob's reply"])
        skip(name, "the clients did not start");
} else {
    await check("device keys published (keys/upload, seen through keys/query)", async () => {
        await waitFor("bob's device keys on the server", async () => {
            const res = await alice.downloadKeysForUsers([bob.getUserId()]);
            return Boolean(res.device_keys?.[bob.getUserId()]?.[bob.getDeviceId()]);
        });
        const res = await bob.downloadKeysForUsers([alice.getUserId()]);
        const device = res.device_keys?.[alice.getUserId()]?.[alice.getDeviceId()];
        assert(device?.keys?.[`ed25519:${alice.getDeviceId()}`], `alice's device has no ed25519 key: ${JSON.stringify(device)}`);
        const ownKey = (await alice.getCrypto().getOwnDeviceKeys()).ed25519;
        assert(device.keys[`ed25519:${alice.getDeviceId()}`] === ownKey, "the served ed25519 key is not the one alice's crypto holds");
        return "both devices";
    });

    await check("encrypted room: m.room.encryption state, bob joins", async () => {
        roomId = (
            await alice.createRoom({
                preset: "private_chat",
                invite: [bob.getUserId()],
                initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
            })
        ).room_id;
        await waitFor("bob's invite", () => bob.getRoom(roomId)?.getMyMembership() === "invite");
        await bob.joinRoom(roomId);
        await waitFor("alice to see bob joined", () => alice.getRoom(roomId)?.getMember(bob.getUserId())?.membership === "join");
        await waitFor("the room to be encrypted for alice", () => alice.getCrypto().isEncryptionEnabledInRoom(roomId));
        return roomId;
    });

    /** Sends `body` from `from` and waits until `to` has the event decrypted. */
    async function exchange(from, to, body) {
        const { event_id: eventId } = await withRateLimitRetry(() =>
            from.sendMessage(roomId, { msgtype: "m.text", body }),
        );
        let event = null;
        try {
            // A failure may be retried by the sdk once the room key arrives, so wait for the cleartext.
            await waitFor(`the decrypted event at ${to.getUserId()}`, () => {
                event = to.getRoom(roomId)?.findEventById(eventId) ?? event;
                return event !== null && !event.isBeingDecrypted() && event.getType() === "m.room.message";
            });
        } catch {
            throw new AssertionFailure(
                event === null ? "the event never arrived" : `not decrypted: ${event.decryptionFailureReason ?? event.getType()}`,
            );
        }
        assert(event.getWireType() === "m.room.encrypted", `the event went over the wire as ${event.getWireType()}, not encrypted`);
        assert(!event.isDecryptionFailure(), `decryption failed: ${event.decryptionFailureReason ?? event.getContent()?.body}`);
        assert(event.getType() === "m.room.message", `decrypted type is ${event.getType()}`);
        assert(event.getContent().body === body, `decrypted body is ${JSON.stringify(event.getContent().body)}`);
        return eventId;
    }

    await check("bob decrypts alice's message (keys/claim, to-device room key)", async () => exchange(alice, bob, SECRET));
    await check("alice decrypts bob's reply", async () => exchange(bob, alice, `re: ${SECRET}`));
}

for (const c of clients) c.stopClient();
finish();
process.exit();
