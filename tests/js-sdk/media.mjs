// Media test: with the matrix-js-sdk client library, Alice uploads an image and
// a video and sends them as m.image / m.video; Bob reads the room, downloads
// both through the authenticated media API, fetches thumbnails and seeks in the
// video with Range requests. Then a decompression bomb and an oversized upload
// must be refused without harm to the running server.
//
// Usage:  HOMESERVER_URL=http://127.0.0.1:8008 node media.mjs
// Needs ffmpeg on PATH (to make the test video). Optional env: see common.mjs.
//
// Prints one PASS/FAIL line per check; last line is
//   media: <passed> passed, <failed> failed
// Exit code 0 only if every check passed.

import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

import { Direction, MsgType, Preset } from "matrix-js-sdk";
import {
    AssertionFailure,
    BASE_URL,
    MAX_RATE_LIMIT_WAIT_MS,
    TIMEOUT_MS,
    assert,
    authedGet,
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
import { gradientPng, imageSize, pngFile } from "./images.mjs";

const BOMB_DEADLINE_MS = 5000;

// --- media fixtures ----------------------------------------------------------------

/** The decompression bomb: a header claiming width x height, and a tiny IDAT (1 MiB of zeros, ~1 KiB deflated). */
function bombPng(width, height) {
    return pngFile(width, height, deflateSync(Buffer.alloc(1 << 20), { level: 9 }));
}

function makeVideo(dir) {
    const out = join(dir, "out.mp4");
    const r = spawnSync(
        "ffmpeg",
        ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "2", "-pix_fmt", "yuv420p", out],
        { encoding: "utf8", timeout: 60000 },
    );
    if (r.error) throw new AssertionFailure(`cannot run ffmpeg: ${r.error.message}`);
    if (r.status !== 0) throw new AssertionFailure(`ffmpeg exited with ${r.status}: ${r.stderr.trim()}`);
    return readFileSync(out);
}

// --- helpers -----------------------------------------------------------------------

const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
const short = (hex) => hex.slice(0, 12);

async function loginUser(username, password) {
    const res = await withRateLimitRetry(() =>
        newClient().loginRequest({
            type: "m.login.password",
            identifier: { type: "m.id.user", user: username },
            password,
            initial_device_display_name: "js-sdk media (login)",
        }),
    );
    assert(typeof res.access_token === "string" && res.access_token, `login response has no access_token: ${JSON.stringify(res)}`);
    return newClient({ accessToken: res.access_token, userId: res.user_id, deviceId: res.device_id });
}

function errorOf(res) {
    try {
        const j = JSON.parse(res.body.toString("utf8"));
        return `${j.errcode ?? "(no errcode)"}: ${j.error ?? ""}`;
    } catch {
        return `${res.body.length} bytes of ${res.headers.get?.("content-type") ?? res.headers["content-type"] ?? "?"}`;
    }
}

function authDownloadUrl(client, mxc) {
    const url = client.mxcUrlToHttp(mxc, undefined, undefined, undefined, false, true, true);
    assert(url, `mxcUrlToHttp returned nothing for ${mxc}`);
    assert(
        url.startsWith(`${BASE_URL}/_matrix/client/v1/media/download/`),
        `mxcUrlToHttp(useAuthentication) gave ${url}, not an authenticated download URL`,
    );
    return url;
}

function authThumbnailUrl(client, mxc, w, h, method) {
    const url = client.mxcUrlToHttp(mxc, w, h, method, false, true, true);
    assert(
        url?.startsWith(`${BASE_URL}/_matrix/client/v1/media/thumbnail/`),
        `mxcUrlToHttp(useAuthentication) gave ${url}, not an authenticated thumbnail URL`,
    );
    return url;
}

/**
 * POSTs an upload that declares `declared` bytes in Content-Length but streams only `sent` bytes, then waits
 * for the answer without ever finishing the body: a server that refuses from the declared length answers at
 * once; one that waits for the body never does (timeout).
 */
function declaredLengthUpload(accessToken, declared, sent, timeoutMs) {
    return new Promise((resolve, reject) => {
        const url = new URL(`${BASE_URL}/_matrix/media/v3/upload?filename=oversized.bin`);
        const transport = url.protocol === "https:" ? https : http;
        let settled = false;
        let written = 0;
        const req = transport.request(url, {
            method: "POST",
            headers: {
                Authorization: `Bearer ${accessToken}`,
                "Content-Type": "application/octet-stream",
                "Content-Length": String(declared),
            },
        });
        const settle = (f, v) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            req.destroy();
            f(v);
        };
        const timer = setTimeout(
            () =>
                settle(
                    reject,
                    new AssertionFailure(
                        `no response within ${timeoutMs} ms after streaming ${written} of the declared ${declared} bytes ` +
                            "(the server waits for the body instead of refusing from Content-Length)",
                    ),
                ),
            timeoutMs,
        );
        req.on("response", (res) => {
            const chunks = [];
            res.on("data", (c) => chunks.push(c));
            res.on("end", () =>
                settle(resolve, { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), written }),
            );
            res.on("error", (e) => settle(reject, e));
        });
        req.on("error", (e) => settle(reject, new AssertionFailure(`upload connection failed before a response: ${e.message}`)));
        req.flushHeaders();
        const chunk = Buffer.alloc(16 * 1024, 0x41);
        (async () => {
            while (!settled && written < sent) {
                const n = Math.min(chunk.length, sent - written);
                if (!req.write(chunk.subarray(0, n))) await new Promise((r) => req.once("drain", r));
                written += n;
                await sleep(10);
            }
        })().catch(() => {});
    });
}

// --- main --------------------------------------------------------------------
begin("media", 20 * TIMEOUT_MS + 2 * MAX_RATE_LIMIT_WAIT_MS + 5000);

console.log(`js-sdk media test against ${BASE_URL} (matrix-js-sdk ${await sdkVersion()})`);

const users = { alice: { username: randomLocalpart("jsalice") }, bob: { username: randomLocalpart("jsbob") } };
for (const u of Object.values(users)) u.password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
console.log(`users: ${users.alice.username}, ${users.bob.username}`);

// (1) Two users, registered through UIA, then logged in.
for (const [name, u] of Object.entries(users)) {
    await check(`register ${name} (UIA)`, async () => {
        u.registered = await registerUser(u.username, u.password, "js-sdk media (register)");
        return u.registered.user_id;
    });
}
for (const [name, u] of Object.entries(users)) {
    if (!u.registered) {
        skip(`login ${name}`, "registration failed");
        continue;
    }
    await check(`login ${name}`, async () => {
        u.client = await loginUser(u.username, u.password);
        const me = await u.client.whoami();
        assert(me.user_id === u.registered.user_id, `whoami says ${me.user_id}, expected ${u.registered.user_id}`);
        return me.user_id;
    });
}
const alice = users.alice.client;
const bob = users.bob.client;

// (2) Test media: a 400x300 PNG made here and a 2 s 320x240 MP4 made by ffmpeg.
const PNG_W = 400;
const PNG_H = 300;
const png = gradientPng(PNG_W, PNG_H);
let mp4 = null;
const tmp = mkdtempSync(join(tmpdir(), "jssdk-media-"));
await check("make test video (ffmpeg testsrc 320x240, 2 s)", async () => {
    mp4 = makeVideo(tmp);
    assert(mp4.length > 2100, `ffmpeg made only ${mp4.length} bytes; the Range checks need more than 2100`);
    assert(mp4.toString("latin1", 4, 8) === "ftyp", "ffmpeg output does not start with an ftyp box");
    return `${mp4.length} bytes, PNG ${PNG_W}x${PNG_H} ${png.length} bytes`;
});
rmSync(tmp, { recursive: true, force: true });

// (3) Alice: room, uploads (MatrixClient.uploadContent), m.image and m.video messages.
let roomId = null;
if (alice && bob) {
    await check("alice creates private room inviting bob", async () => {
        const res = await alice.createRoom({ preset: Preset.PrivateChat, invite: [bob.getUserId()], name: "js-sdk media" });
        assert(typeof res.room_id === "string" && res.room_id.startsWith("!"), `createRoom gave ${JSON.stringify(res)}`);
        roomId = res.room_id;
        return roomId;
    });
} else {
    skip("alice creates private room inviting bob", "login failed");
}

const media = {
    image: { bytes: png, mimetype: "image/png", name: "gradient.png", msgtype: MsgType.Image, info: { w: PNG_W, h: PNG_H } },
    video: { bytes: null, mimetype: "video/mp4", name: "testsrc.mp4", msgtype: MsgType.Video, info: { w: 320, h: 240, duration: 2000 } },
};
media.video.bytes = mp4;

for (const [kind, m] of Object.entries(media)) {
    const name = `alice uploads the ${kind} (uploadContent)`;
    if (!alice) {
        skip(name, "login failed");
        continue;
    }
    if (!m.bytes) {
        skip(name, "no test video");
        continue;
    }
    await check(name, async () => {
        const res = await alice.uploadContent(new Blob([m.bytes], { type: m.mimetype }), { name: m.name, type: m.mimetype });
        assert(typeof res?.content_uri === "string" && res.content_uri.startsWith("mxc://"), `upload gave ${JSON.stringify(res)}`);
        m.mxc = res.content_uri;
        return `${m.bytes.length} bytes -> ${m.mxc}`;
    });
}

for (const [kind, m] of Object.entries(media)) {
    const name = `alice sends ${m.msgtype}`;
    if (!roomId || !m.mxc) {
        skip(name, !roomId ? "no room" : "upload failed");
        continue;
    }
    await check(name, async () => {
        const res = await withRateLimitRetry(() =>
            alice.sendMessage(roomId, {
                msgtype: m.msgtype,
                body: m.name,
                url: m.mxc,
                info: { mimetype: m.mimetype, size: m.bytes.length, ...m.info },
            }),
        );
        assert(typeof res?.event_id === "string" && res.event_id.startsWith("$"), `send gave ${JSON.stringify(res)}`);
        m.eventId = res.event_id;
        return `${kind} event ${m.eventId}`;
    });
}

// (4) Bob joins and finds both events through /messages (no /sync: startClient is not used).
let bobJoined = false;
if (roomId && bob) {
    bobJoined = await check("bob joins the room", async () => {
        await bob.joinRoom(roomId);
        return roomId;
    });
} else {
    skip("bob joins the room", "no room");
}

const received = {}; // kind -> event content as Bob sees it
if (bobJoined && media.image.eventId && media.video.eventId) {
    await check("bob reads m.image and m.video from /messages", async () => {
        const res = await bob.createMessagesRequest(roomId, null, 20, Direction.Backward);
        assert(Array.isArray(res?.chunk), `/messages gave no chunk: ${JSON.stringify(res)}`);
        for (const [kind, m] of Object.entries(media)) {
            const ev = res.chunk.find((e) => e.event_id === m.eventId);
            assert(ev, `event ${m.eventId} (${kind}) not among the ${res.chunk.length} events Bob got`);
            assert(ev.type === "m.room.message", `${kind} event has type ${ev.type}`);
            const c = ev.content ?? {};
            assert(c.msgtype === m.msgtype, `${kind} event has msgtype ${c.msgtype}, expected ${m.msgtype}`);
            assert(c.url === m.mxc, `${kind} event url ${c.url} != uploaded ${m.mxc}`);
            assert(
                c.info?.mimetype === m.mimetype && c.info?.size === m.bytes.length && c.info?.w === m.info.w && c.info?.h === m.info.h,
                `${kind} event info ${JSON.stringify(c.info)} differs from what Alice sent`,
            );
            received[kind] = c;
        }
        return `${res.chunk.length} events, both found`;
    });
} else {
    skip("bob reads m.image and m.video from /messages", bobJoined ? "a message was not sent" : "bob did not join");
}

// (5) Bob downloads both files through the authenticated media API.
const downloads = {}; // kind -> response
for (const [kind, m] of Object.entries(media)) {
    const name = `bob downloads the ${kind} (authenticated, SHA-256 equal)`;
    if (!received[kind]) {
        skip(name, "event not received");
        continue;
    }
    await check(name, async () => {
        const url = authDownloadUrl(bob, received[kind].url);
        const res = await authedGet(bob, url);
        assert(res.status === 200, `GET ${url} -> HTTP ${res.status} (${errorOf(res)})`);
        assert(
            sha256(res.body) === sha256(m.bytes),
            `downloaded ${res.body.length} bytes with SHA-256 ${short(sha256(res.body))}, uploaded ${m.bytes.length} bytes ${short(sha256(m.bytes))}`,
        );
        const type = res.headers.get("content-type");
        assert(type?.split(";")[0].trim() === m.mimetype, `content-type ${type}, expected ${m.mimetype}`);
        downloads[kind] = res;
        return `${res.body.length} bytes, sha256 ${short(sha256(res.body))}, ${type}`;
    });
}

// (6) Safe-serving headers on the downloads.
for (const kind of Object.keys(media)) {
    const name = `${kind} download headers (nosniff, CSP sandbox)`;
    const res = downloads[kind];
    if (!res) {
        skip(name, "download failed");
        continue;
    }
    await check(name, async () => {
        const nosniff = res.headers.get("x-content-type-options");
        const csp = res.headers.get("content-security-policy");
        assert(nosniff?.trim().toLowerCase() === "nosniff", `x-content-type-options is ${JSON.stringify(nosniff)}`);
        assert(csp && /(^|;)\s*sandbox\b/.test(csp), `content-security-policy ${JSON.stringify(csp)} has no sandbox directive`);
        return `nosniff; csp "${csp.split(";")[0]}; ..."`;
    });
}

// (7) Thumbnails at two of the configured sizes.
const thumbChecks = [
    { kind: "image", w: 96, h: 96, method: "crop", exact: true },
    { kind: "video", w: 320, h: 240, method: "scale", exact: false },
];
for (const t of thumbChecks) {
    const name = `bob fetches the ${t.kind} thumbnail (${t.w}x${t.h} ${t.method})`;
    if (!received[t.kind]) {
        skip(name, "event not received");
        continue;
    }
    await check(name, async () => {
        const url = authThumbnailUrl(bob, received[t.kind].url, t.w, t.h, t.method);
        const res = await authedGet(bob, url, {}, 3 * TIMEOUT_MS);
        assert(res.status === 200, `GET ${url} -> HTTP ${res.status} (${errorOf(res)})`);
        const type = res.headers.get("content-type")?.split(";")[0].trim();
        assert(type === "image/png" || type === "image/jpeg", `thumbnail content-type ${type}, expected image/png or image/jpeg`);
        const size = imageSize(res.body);
        assert(size, `thumbnail (${res.body.length} bytes of ${type}) is neither a PNG nor a JPEG with a readable size`);
        assert(`image/${size.format}` === type, `thumbnail is a ${size.format} but was served as ${type}`);
        if (t.exact) {
            assert(size.width === t.w && size.height === t.h, `thumbnail is ${size.width}x${size.height}, expected ${t.w}x${t.h}`);
        } else {
            assert(
                size.width > 0 && size.height > 0 && size.width <= t.w && size.height <= t.h,
                `thumbnail is ${size.width}x${size.height}, expected at most ${t.w}x${t.h}`,
            );
        }
        return `${type} ${size.width}x${size.height}, ${res.body.length} bytes`;
    });
}

// (8) Seeking in the video with Range requests.
if (received.video) {
    const url = authDownloadUrl(bob, received.video.url);
    const size = mp4.length;
    await check("bob seeks in the video: Range bytes=1000-1999 -> 206", async () => {
        const res = await authedGet(bob, url, { Range: "bytes=1000-1999" });
        assert(res.status === 206, `HTTP ${res.status} (${errorOf(res)}), expected 206`);
        const cr = res.headers.get("content-range");
        assert(cr === `bytes 1000-1999/${size}`, `Content-Range ${JSON.stringify(cr)}, expected "bytes 1000-1999/${size}"`);
        assert(res.body.length === 1000, `body has ${res.body.length} bytes, expected 1000`);
        assert(res.body.equals(mp4.subarray(1000, 2000)), "body differs from bytes 1000-1999 of the uploaded video");
        return `Content-Range: ${cr}`;
    });
    await check(`bob seeks past the end: Range bytes=${size + 10}- -> 416`, async () => {
        const res = await authedGet(bob, url, { Range: `bytes=${size + 10}-` });
        assert(res.status === 416, `HTTP ${res.status}, expected 416 Range Not Satisfiable`);
        const cr = res.headers.get("content-range");
        return `HTTP 416${cr ? `, Content-Range: ${cr}` : ""}`;
    });
} else {
    skip("bob seeks in the video: Range bytes=1000-1999 -> 206", "video event not received");
    skip("bob seeks past the end: Range bytes=<size+10>- -> 416", "video event not received");
}

// (9) Harm checks: a decompression bomb and an oversized upload are refused.
const BOMB_CHECK = `decompression bomb (PNG claiming 50000x50000) thumbnail -> 413 M_TOO_LARGE within ${BOMB_DEADLINE_MS} ms`;
const CONFIG_CHECK = "media config has m.upload.size (GET /_matrix/client/v1/media/config)";
const OVERSIZED_CHECK = "oversized upload (Content-Length > m.upload.size) -> 413 M_TOO_LARGE";
const ALIVE_CHECK = "server still answers /_matrix/client/versions";
if (alice && bob) {
    await check(BOMB_CHECK, async () => {
        const bomb = bombPng(50000, 50000);
        const up = await alice.uploadContent(new Blob([bomb], { type: "image/png" }), { name: "bomb.png", type: "image/png" });
        assert(up?.content_uri?.startsWith("mxc://"), `bomb upload gave ${JSON.stringify(up)}`);
        const url = authThumbnailUrl(bob, up.content_uri, 96, 96, "crop");
        const started = Date.now();
        let res;
        try {
            res = await authedGet(bob, url, {}, BOMB_DEADLINE_MS);
        } catch (e) {
            if (e?.name === "TimeoutError" || e?.name === "AbortError") {
                throw new AssertionFailure(`no answer within ${BOMB_DEADLINE_MS} ms for the thumbnail of ${up.content_uri}`);
            }
            throw e;
        }
        const ms = Date.now() - started;
        let body = {};
        try {
            body = JSON.parse(res.body.toString("utf8"));
        } catch {}
        assert(
            res.status === 413 && body.errcode === "M_TOO_LARGE",
            `GET ${url} -> HTTP ${res.status} (${errorOf(res)}), expected 413 M_TOO_LARGE`,
        );
        assert(ms < BOMB_DEADLINE_MS, `took ${ms} ms`);
        return `${bomb.length}-byte file, HTTP 413 M_TOO_LARGE in ${ms} ms`;
    });

    let limit = null;
    await check(CONFIG_CHECK, async () => {
        const cfg = await alice.getMediaConfig(true);
        limit = cfg?.["m.upload.size"];
        assert(Number.isSafeInteger(limit) && limit > 0, `m.upload.size is ${JSON.stringify(limit)}: ${JSON.stringify(cfg)}`);
        return `m.upload.size = ${limit}`;
    });
    if (limit) {
        await check(OVERSIZED_CHECK, async () => {
            const declared = limit + 1;
            const res = await declaredLengthUpload(alice.getAccessToken(), declared, 64 * 1024, TIMEOUT_MS);
            let body = {};
            try {
                body = JSON.parse(res.body.toString("utf8"));
            } catch {}
            assert(
                res.status === 413 && body.errcode === "M_TOO_LARGE",
                `POST /_matrix/media/v3/upload with Content-Length ${declared} -> HTTP ${res.status} ` +
                    `(${body.errcode ?? res.body.toString("utf8").slice(0, 200)}), expected 413 M_TOO_LARGE`,
            );
            return `Content-Length ${declared}, ${res.written} bytes streamed, HTTP 413 M_TOO_LARGE`;
        });
    } else {
        skip(OVERSIZED_CHECK, "no m.upload.size");
    }

    await check(ALIVE_CHECK, async () => {
        const v = await newClient().getVersions();
        assert(Array.isArray(v?.versions) && v.versions.length > 0, `versions gave ${JSON.stringify(v)}`);
        return `${v.versions.length} versions`;
    });
} else {
    for (const n of [BOMB_CHECK, CONFIG_CHECK, OVERSIZED_CHECK, ALIVE_CHECK]) skip(n, "login failed");
}

// (10) The refusals did no harm: Bob's earlier downloads still work, byte for byte.
if (downloads.image || downloads.video) {
    await check("bob's downloads still work afterwards", async () => {
        const done = [];
        for (const kind of Object.keys(downloads)) {
            const res = await authedGet(bob, authDownloadUrl(bob, received[kind].url));
            assert(res.status === 200, `${kind}: HTTP ${res.status} (${errorOf(res)})`);
            assert(sha256(res.body) === sha256(media[kind].bytes), `${kind}: bytes differ from the upload`);
            done.push(`${kind} ${res.body.length} bytes`);
        }
        return done.join(", ");
    });
} else {
    skip("bob's downloads still work afterwards", "no download succeeded before");
}

finish();
// The sdk arms a (non-unref'd) timer per request for localTimeoutMs; don't wait for them.
process.exit();
