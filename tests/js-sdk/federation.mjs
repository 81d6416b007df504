// Two of our servers federating: Alice on server 1 and Bob on server 2, each a matrix-js-sdk client with the
// sdk's Rust crypto, share an encrypted room as users of two servers do. Underneath: the invite and the join
// over federation, each client's /keys/query and /keys/claim answered by the other server, the room key sent
// to-device across servers, typing, receipts and presence as EDUs, and an image uploaded to server 1 that Bob
// downloads, and has thumbnailed, through server 2 (authenticated media, federation media download).
//
// Usage:  FEDERATION_SERVER1_URL=http://127.0.0.1:PORT1 FEDERATION_SERVER2_URL=http://127.0.0.2:PORT2 node federation.mjs
// (the client URLs of two servers that federate with each other; federation.sh starts such a pair).
//
// Prints one PASS/FAIL line per check; last line is `federation: <passed> passed, <failed> failed`.

import { createHash } from "node:crypto";

import { ReceiptType } from "matrix-js-sdk";
import {
    TIMEOUT_MS,
    assert,
    authedGet,
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
    withRateLimitRetry,
} from "./common.mjs";
import { gradientPng, imageSize } from "./images.mjs";

quietConsole();

const SERVER1 = (process.env.FEDERATION_SERVER1_URL ?? "").replace(/\/+$/, "");
const SERVER2 = (process.env.FEDERATION_SERVER2_URL ?? "").replace(/\/+$/, "");
begin("federation", 30 * TIMEOUT_MS + 60000, { FEDERATION_SERVER1_URL: SERVER1, FEDERATION_SERVER2_URL: SERVER2 });
console.log(`js-sdk federation test between ${SERVER1} and ${SERVER2} (matrix-js-sdk ${await sdkVersion()})`);

// Everything that crosses servers goes through a transaction of the sender's queue: allow more than for one server.
const WAIT_MS = 45000;
const serverOf = (userId) => userId.slice(userId.indexOf(":") + 1);
const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");

let alice, bob, roomId;
const clients = [];

const ready = await check("alice on server 1 and bob on server 2 start with Rust crypto", async () => {
    alice = await startCryptoClient("jfedalice", SERVER1);
    clients.push(alice);
    bob = await startCryptoClient("jfedbob", SERVER2);
    clients.push(bob);
    assert(alice.getCrypto() && bob.getCrypto(), "getCrypto() is undefined after initRustCrypto");
    assert(
        serverOf(alice.getUserId()) !== serverOf(bob.getUserId()),
        `both users are on ${serverOf(alice.getUserId())}: the two URLs are one server`,
    );
    return `${alice.getUserId()}, ${bob.getUserId()}`;
});

const steps = [
    "device keys across servers",
    "encrypted room joined over federation",
    "bob decrypts alice's message",
    "alice decrypts bob's reply",
    "typing",
    "receipts",
    "presence",
    "image",
];

if (!ready) {
    for (const name of steps) skip(name, "the clients did not start");
} else {
    /** `who`'s /keys/query for `of`'s device, answered by the other server: the ed25519 key `of`'s crypto holds. */
    async function remoteDeviceKey(who, of) {
        const userId = of.getUserId();
        const deviceId = of.getDeviceId();
        let device;
        await waitFor(`${userId}'s device keys at ${serverOf(who.getUserId())}`, async () => {
            const res = await who.downloadKeysForUsers([userId]);
            device = res.device_keys?.[userId]?.[deviceId];
            return Boolean(device);
        }, WAIT_MS);
        const served = device.keys?.[`ed25519:${deviceId}`];
        const own = (await of.getCrypto().getOwnDeviceKeys()).ed25519;
        assert(served === own, `${userId}'s served ed25519 key ${served} is not the one its crypto holds (${own})`);
    }

    await check("device keys across servers (keys/query answered by the other server)", async () => {
        await remoteDeviceKey(alice, bob);
        await remoteDeviceKey(bob, alice);
        return "both ways";
    });

    const joined = await check("encrypted room: alice invites bob, bob joins over federation", async () => {
        roomId = await createEncryptedRoom(alice, bob, WAIT_MS);
        await waitFor("the room to be encrypted for bob", () => bob.getCrypto().isEncryptionEnabledInRoom(roomId), WAIT_MS);
        const encryption = bob.getRoom(roomId).currentState.getStateEvents("m.room.encryption", "");
        assert(encryption?.getContent().algorithm === "m.megolm.v1.aes-sha2", "bob's copy of the room has no megolm m.room.encryption");
        return roomId;
    });

    if (!joined) {
        for (const name of steps.slice(2)) skip(name, "no shared room");
    } else {
        const SECRET = `across servers ${Math.random().toString(36).slice(2)}`;
        let fromAlice = null;
        let fromBob = null;

        await check("bob decrypts alice's message (keys/claim and the room key to-device across servers)", async () => {
            fromAlice = await sendEncrypted(alice, bob, roomId, { msgtype: "m.text", body: SECRET }, WAIT_MS);
            assert(fromAlice.getContent().body === SECRET, `decrypted body is ${JSON.stringify(fromAlice.getContent().body)}`);
            assert(fromAlice.getSender() === alice.getUserId(), `sender is ${fromAlice.getSender()}`);
            return fromAlice.getId();
        });
        await check("alice decrypts bob's reply", async () => {
            fromBob = await sendEncrypted(bob, alice, roomId, { msgtype: "m.text", body: `re: ${SECRET}` }, WAIT_MS);
            assert(fromBob.getContent().body === `re: ${SECRET}`, `decrypted body is ${JSON.stringify(fromBob.getContent().body)}`);
            return fromBob.getId();
        });

        /** Whether `who` sees `of` typing in the room. */
        const typing = (who, of) => who.getRoom(roomId)?.getMember(of.getUserId())?.typing === true;

        await check("bob sees alice typing, then stop", async () => {
            assert(!typing(bob, alice), "alice shows as typing before she started");
            await alice.sendTyping(roomId, true, 30000);
            await waitFor("bob to see alice typing", () => typing(bob, alice), WAIT_MS);
            await alice.sendTyping(roomId, false, 0);
            await waitFor("bob to see alice stop typing", () => !typing(bob, alice), WAIT_MS);
            return "m.typing both times";
        });
        await check("alice sees bob typing", async () => {
            await bob.sendTyping(roomId, true, 30000);
            await waitFor("alice to see bob typing", () => typing(alice, bob), WAIT_MS);
            await bob.sendTyping(roomId, false, 0);
            return "m.typing";
        });

        /** `of`'s public read receipt as `who` has it from the server (not one the sdk made up locally). */
        const receiptOf = (who, of) => who.getRoom(roomId)?.getReadReceiptForUserId(of.getUserId(), true, ReceiptType.Read)?.eventId;

        if (fromAlice && fromBob) {
            await check("alice sees bob's read receipt on her message", async () => {
                await bob.sendReadReceipt(fromAlice, ReceiptType.Read);
                await waitFor("bob's receipt at alice", () => receiptOf(alice, bob) === fromAlice.getId(), WAIT_MS);
                return fromAlice.getId();
            });
            await check("bob sees alice's read receipt on his reply", async () => {
                await alice.sendReadReceipt(fromBob, ReceiptType.Read);
                await waitFor("alice's receipt at bob", () => receiptOf(bob, alice) === fromBob.getId(), WAIT_MS);
                return fromBob.getId();
            });
        } else {
            skip("receipts", "the messages were not exchanged");
        }

        /**
         * Sets `of`'s presence and waits until `who` sees that state and status message. A syncing client is
         * online unless its syncs say otherwise (as in Synapse), so `of` syncs with that presence too, as an
         * idle Element does.
         */
        async function presenceSeen(of, who, presence) {
            const status = `${presence} ${Math.random().toString(36).slice(2)}`;
            await of.setSyncPresence(presence);
            await withRateLimitRetry(() => of.setPresence({ presence, status_msg: status }));
            const user = () => who.getUser(of.getUserId());
            try {
                await waitFor(`${of.getUserId()} ${presence} at ${serverOf(who.getUserId())}`, () =>
                    user()?.presence === presence && user()?.presenceStatusMsg === status, WAIT_MS);
            } catch {
                const seen = user();
                assert(false, `seen as ${seen?.presence} "${seen?.presenceStatusMsg}", not ${presence} "${status}"`);
            }
            return `${presence} "${status}"`;
        }

        await check("bob sees alice's presence: online with a status message", async () => presenceSeen(alice, bob, "online"));
        await check("bob sees alice's presence: unavailable with a status message", async () => presenceSeen(alice, bob, "unavailable"));
        await check("alice sees bob's presence: online with a status message", async () => presenceSeen(bob, alice, "online"));

        // The image lives on server 1; Bob's server fetches it over federation for his authenticated download.
        const PNG_W = 400;
        const PNG_H = 300;
        const png = gradientPng(PNG_W, PNG_H);
        let mxc = null;
        let image = null;
        await check("alice uploads an image to server 1 and sends it as m.image (encrypted event)", async () => {
            const up = await alice.uploadContent(new Blob([png], { type: "image/png" }), { name: "gradient.png", type: "image/png" });
            mxc = up?.content_uri;
            assert(mxc?.startsWith(`mxc://${serverOf(alice.getUserId())}/`), `upload gave ${JSON.stringify(up)}, not media of server 1`);
            image = await sendEncrypted(alice, bob, roomId, {
                msgtype: "m.image",
                body: "gradient.png",
                url: mxc,
                info: { mimetype: "image/png", size: png.length, w: PNG_W, h: PNG_H },
            }, WAIT_MS);
            const c = image.getContent();
            assert(c.msgtype === "m.image" && c.url === mxc, `bob decrypted ${JSON.stringify(c)}`);
            return mxc;
        });

        /** Bob's authenticated media URL for the image, on his own server. */
        function bobMediaUrl(...thumbnail) {
            const [w, h, method] = thumbnail;
            const url = bob.mxcUrlToHttp(image.getContent().url, w, h, method, false, true, true);
            const kind = thumbnail.length ? "thumbnail" : "download";
            assert(url?.startsWith(`${SERVER2}/_matrix/client/v1/media/${kind}/`), `mxcUrlToHttp gave ${url}, not server 2's authenticated ${kind}`);
            return url;
        }

        if (image) {
            await check("bob downloads the image through server 2, byte-identical", async () => {
                const url = bobMediaUrl();
                const res = await authedGet(bob, url, {}, 3 * TIMEOUT_MS);
                assert(res.status === 200, `GET ${url} -> HTTP ${res.status}: ${res.body.toString("utf8").slice(0, 200)}`);
                assert(res.headers.get("content-type")?.startsWith("image/png"), `content-type ${res.headers.get("content-type")}`);
                assert(res.body.equals(png), `got ${res.body.length} bytes (sha256 ${sha256(res.body)}), sent ${png.length} (sha256 ${sha256(png)})`);
                return `${res.body.length} bytes`;
            });
            for (const t of [
                { w: 96, h: 96, method: "crop", exact: true },
                { w: 320, h: 240, method: "scale", exact: false },
            ]) {
                await check(`bob fetches a thumbnail through server 2 (${t.w}x${t.h} ${t.method})`, async () => {
                    const url = bobMediaUrl(t.w, t.h, t.method);
                    const res = await authedGet(bob, url, {}, 3 * TIMEOUT_MS);
                    assert(res.status === 200, `GET ${url} -> HTTP ${res.status}: ${res.body.toString("utf8").slice(0, 200)}`);
                    const type = res.headers.get("content-type")?.split(";")[0].trim();
                    const size = imageSize(res.body);
                    assert(size, `thumbnail (${res.body.length} bytes of ${type}) is neither a PNG nor a JPEG`);
                    assert(`image/${size.format}` === type, `thumbnail is a ${size.format} but was served as ${type}`);
                    assert(
                        t.exact
                            ? size.width === t.w && size.height === t.h
                            : size.width > 0 && size.height > 0 && size.width <= t.w && size.height <= t.h && size.width < PNG_W,
                        `thumbnail is ${size.width}x${size.height} for ${t.w}x${t.h} ${t.method}`,
                    );
                    return `${type} ${size.width}x${size.height}`;
                });
            }
        } else {
            skip("image download and thumbnails", "the image was not sent");
        }
    }
}

for (const c of clients) c.stopClient();
finish();
process.exit();
