// End-to-end encryption with matrix-js-sdk's Rust crypto: two clients publish device and
// one-time keys, Alice sends in an encrypted room (m.room.encryption), and Bob decrypts it.
// Underneath: /keys/upload, /keys/query, /keys/claim, the room key travelling as an Olm
// to-device message, device_lists and one-time key counts in /sync.
//
// Usage:  HOMESERVER_URL=http://127.0.0.1:8008 node e2ee.mjs
//
// Prints one PASS/FAIL line per check; last line is `e2ee: <passed> passed, <failed> failed`.

import {
    BASE_URL,
    TIMEOUT_MS,
    assert,
    begin,
    check,
    createEncryptedRoom,
    finish,
    quietConsole,
    sdkVersion,
    sendEncrypted,
    skip,
    startCryptoClient,
    waitFor,
} from "./common.mjs";

quietConsole();

begin("e2ee", 20 * TIMEOUT_MS + 60000);
console.log(`js-sdk e2ee test against ${BASE_URL} (matrix-js-sdk ${await sdkVersion()})`);

const SECRET = `the password is ${Math.random().toString(36).slice(2)}`;

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
        roomId = await createEncryptedRoom(alice, bob);
        return roomId;
    });

    /** Sends `body` from `from` and checks that `to` decrypts it. */
    async function exchange(from, to, body) {
        const event = await sendEncrypted(from, to, roomId, { msgtype: "m.text", body });
        assert(event.getContent().body === body, `decrypted body is ${JSON.stringify(event.getContent().body)}`);
        return event.getId();
    }

    await check("bob decrypts alice's message (keys/claim, to-device room key)", async () => exchange(alice, bob, SECRET));
    await check("alice decrypts bob's reply", async () => exchange(bob, alice, `re: ${SECRET}`));
}

for (const c of clients) c.stopClient();
finish();
process.exit();
