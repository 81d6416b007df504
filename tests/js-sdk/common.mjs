// Shared by the js-sdk test scripts (smoke.mjs, media.mjs, rooms.mjs, ...): environment,
// a quiet sdk client factory, a tiny PASS/FAIL reporter, 429 handling, UIA
// registration and syncing clients with the sdk's Rust crypto.
//
// Every script prints one PASS/FAIL line per check and, as its last line,
//   <label>: <passed> passed, <failed> failed
// (label = the script's name: "smoke", "media", "rooms", ...). run.sh sums those lines into
// the suite's single final line `js-sdk: N passed, M failed`.
//
// Environment (read here, the same for every script):
//   HOMESERVER_URL      base URL of the running homeserver (required)
//   REGISTRATION_TOKEN  token to use if the server's registration flows require
//                       m.login.registration_token
//   SMOKE_TIMEOUT_MS    per-request timeout (default 15000)
//   SMOKE_DEBUG=1       print the sdk's own HTTP debug log (--> / <-- lines)

import { ClientEvent, createClient, MatrixError, ConnectionError, SyncState } from "matrix-js-sdk";
// The sdk's global (loglevel) logger is not re-exported from the package index.
import { logger as sdkGlobalLogger } from "matrix-js-sdk/lib/logger.js";

export const DEBUG = process.env.SMOKE_DEBUG === "1";
export const TIMEOUT_MS = Number(process.env.SMOKE_TIMEOUT_MS ?? 15000);
export const REGISTRATION_TOKEN = process.env.REGISTRATION_TOKEN || undefined;
export const BASE_URL = (process.env.HOMESERVER_URL ?? "").replace(/\/+$/, "");

// --- silence the sdk's logger (loglevel-based) unless SMOKE_DEBUG=1 ----------
if (!DEBUG) sdkGlobalLogger.setLevel("silent");
const noop = () => {};
export const quietLogger = {
    trace: noop,
    info: noop,
    warn: noop,
    error: noop,
    log: noop,
    debug: DEBUG ? (...a) => console.error("[sdk]", ...a) : noop,
    getChild() {
        return quietLogger;
    },
};

// --- reporter ------------------------------------------------------------------
let label = "js-sdk";
let passed = 0;
let failed = 0;
let finished = false;

export function pass(name, detail = "") {
    passed++;
    console.log(`PASS ${name}${detail ? ` - ${detail}` : ""}`);
}

export function fail(name, detail) {
    failed++;
    console.log(`FAIL ${name} - ${detail}`);
}

export class AssertionFailure extends Error {}

export function assert(cond, message) {
    if (!cond) throw new AssertionFailure(message);
}

export function describeError(e) {
    if (e instanceof AssertionFailure) return e.message;
    if (e instanceof ConnectionError || e?.name === "ConnectionError") {
        return `cannot reach homeserver at ${BASE_URL}: ${e.message}`;
    }
    if (e?.name === "AbortError" || e?.name === "TimeoutError") {
        return `request to ${BASE_URL} timed out after ${TIMEOUT_MS} ms`;
    }
    if (e instanceof MatrixError) {
        return `HTTP ${e.httpStatus} ${e.errcode ?? "(no errcode)"}: ${e.data?.error ?? e.message} [${e.url ?? ""}]`;
    }
    if (e?.httpStatus !== undefined) {
        // HTTPError: non-JSON error body (or missing Content-Type: application/json)
        return `HTTP ${e.httpStatus}: ${e.message} (error response was not application/json)`;
    }
    return `${e?.name ?? "Error"}: ${e?.message ?? String(e)}`;
}

export async function check(name, fn) {
    try {
        const detail = await fn();
        pass(name, detail);
        return true;
    } catch (e) {
        fail(name, describeError(e));
        return false;
    }
}

export function skip(name, reason) {
    fail(name, `not run: ${reason}`);
}

export function finish() {
    if (finished) return;
    finished = true;
    console.log(`${label}: ${passed} passed, ${failed} failed`);
    process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

/**
 * Names the script for its summary line, checks its server URLs (HOMESERVER_URL unless
 * `urls` names others, as { VARIABLE: value }) and arms a hard watchdog so a hung
 * server can never hang CI. Exits (after the summary line) when a URL is missing or
 * invalid.
 */
export function begin(scriptLabel, watchdogMs, urls = { HOMESERVER_URL: BASE_URL }) {
    label = scriptLabel;
    for (const [variable, url] of Object.entries(urls)) {
        if (!url) {
            fail("setup", `${variable} is not set (e.g. ${variable}=http://127.0.0.1:8008)`);
            finish();
            process.exit();
        }
        try {
            new URL(url);
        } catch {
            fail("setup", `${variable} is not a valid URL: ${url}`);
            finish();
            process.exit();
        }
    }
    const watchdog = setTimeout(() => {
        fail("watchdog", `${label} test did not finish within ${watchdogMs} ms`);
        finish();
        process.exit(1);
    }, watchdogMs);
    watchdog.unref();
}

// --- sdk client ------------------------------------------------------------------

// Plain globalThis.fetch, except that network failures keep their low-level cause
// (ECONNREFUSED, ENOTFOUND, ...) in the message: the sdk's ConnectionError only
// keeps the message of the error it wraps, and undici's is just "fetch failed".
export async function diagnosingFetch(resource, init) {
    try {
        return await globalThis.fetch(resource, init);
    } catch (e) {
        if (e?.name === "AbortError" || e?.name === "TimeoutError") throw e;
        const cause = e?.cause;
        const detail = cause?.message || cause?.code || cause?.errors?.[0]?.message;
        if (!detail) throw e;
        throw new TypeError(detail, { cause });
    }
}

/** GET with the client's access token (the sdk builds media URLs but has no authenticated download call). */
export async function authedGet(client, url, headers = {}, timeoutMs = TIMEOUT_MS) {
    const res = await diagnosingFetch(url, {
        headers: { Authorization: `Bearer ${client.getAccessToken()}`, ...headers },
        signal: AbortSignal.timeout(timeoutMs),
    });
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, body };
}

export function newClient(extra = {}) {
    return createClient({
        baseUrl: BASE_URL,
        localTimeoutMs: TIMEOUT_MS,
        logger: quietLogger,
        fetchFn: diagnosingFetch,
        ...extra,
    });
}

export function randomLocalpart(prefix = "jssdk") {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    let s = prefix;
    for (let i = 0; i < 10; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
    return s;
}

export async function sdkVersion() {
    try {
        const { readFile } = await import("node:fs/promises");
        const url = new URL("./node_modules/matrix-js-sdk/package.json", import.meta.url);
        return JSON.parse(await readFile(url, "utf8")).version;
    } catch {
        return "unknown";
    }
}

// --- rate limits and registration ------------------------------------------------

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Registration (burst 3 per address, every POST /register counts, so a UIA
// registration takes two) and sending (burst 10 per account, then one every 5 s)
// are rate limited like Synapse's defaults, and the scripts run back to back
// against one server, so a 429 is waited out up to this long per call.
export const MAX_RATE_LIMIT_WAIT_MS = 30000;

/** Runs fn, waiting out 429 M_LIMIT_EXCEEDED answers (retry_after_ms) up to maxWaitMs in total. */
export async function withRateLimitRetry(fn, maxWaitMs = MAX_RATE_LIMIT_WAIT_MS) {
    let waited = 0;
    for (;;) {
        try {
            return await fn();
        } catch (e) {
            if (!(e instanceof MatrixError) || !e.isRateLimitError()) throw e;
            let after;
            try {
                after = e.getRetryAfterMs() ?? 1000;
            } catch {
                after = 1000;
            }
            if (waited + after > maxWaitMs) throw e;
            waited += after + 100;
            await sleep(after + 100);
        }
    }
}

/**
 * Registers through UIA like smoke.mjs does (401 challenge, then each stage of a
 * completable flow), waiting out 429s. Resolves to the RegisterResponse, whose
 * access_token can be used directly (logins are rate limited too).
 */
export async function registerUser(username, password, deviceDisplayName = "js-sdk (register)", baseUrl = BASE_URL) {
    const client = newClient({ baseUrl });
    let uia;
    try {
        const res = await withRateLimitRetry(() =>
            client.registerRequest({ username, password, initial_device_display_name: deviceDisplayName }),
        );
        throw new AssertionFailure(`expected 401 UIA challenge from POST /register without auth, got ${JSON.stringify(res)}`);
    } catch (e) {
        if (e instanceof AssertionFailure) throw e;
        if (!(e instanceof MatrixError) || e.httpStatus !== 401) throw e;
        uia = e.data;
    }
    assert(typeof uia.session === "string" && uia.session, `401 body has no session: ${JSON.stringify(uia)}`);
    const supported = new Set(["m.login.dummy"]);
    if (REGISTRATION_TOKEN) supported.add("m.login.registration_token");
    const flow = (uia.flows ?? []).find(
        (f) => Array.isArray(f.stages) && f.stages.length > 0 && f.stages.every((s) => supported.has(s)),
    );
    assert(flow, `no completable flow among ${JSON.stringify(uia.flows)}`);
    let result = null;
    for (const [i, stage] of flow.stages.entries()) {
        const auth =
            stage === "m.login.registration_token"
                ? { type: "m.login.registration_token", token: REGISTRATION_TOKEN }
                : { type: "m.login.dummy" };
        const last = i === flow.stages.length - 1;
        try {
            result = await withRateLimitRetry(() => client.register(username, password, uia.session, auth));
        } catch (e) {
            if (last || !(e instanceof MatrixError) || e.httpStatus !== 401) throw e;
        }
    }
    assert(result?.user_id?.startsWith(`@${username}:`), `register response has no matching user_id: ${JSON.stringify(result)}`);
    return result;
}

// --- clients with the sdk's Rust crypto ---------------------------------------------

/** Polls `predicate` (sync or async) every 100 ms until it holds, or throws after `ms`. */
export async function waitFor(what, predicate, ms = 30000) {
    const deadline = Date.now() + ms;
    while (!(await predicate())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(100);
    }
}

/**
 * Silences the console unless SMOKE_DEBUG=1: the Rust crypto layer traces through console.debug/info and
 * parts of the sdk warn through the console directly, not through the logger the clients are given. The
 * reports use console.log only.
 */
export function quietConsole() {
    if (!DEBUG) for (const level of ["debug", "info", "warn", "error"]) console[level] = () => {};
}

/**
 * Registers a user on `baseUrl`, creates its client with an in-memory Rust crypto store (so it publishes
 * device and one-time keys) and starts syncing; resolves once the first sync is done.
 */
export async function startCryptoClient(prefix, baseUrl = BASE_URL) {
    const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const reg = await registerUser(randomLocalpart(prefix), password, `js-sdk (${prefix})`, baseUrl);
    const client = newClient({ baseUrl, accessToken: reg.access_token, userId: reg.user_id, deviceId: reg.device_id });
    await client.initRustCrypto({ useIndexedDB: false });
    let state = null;
    client.on(ClientEvent.Sync, (s) => (state = s));
    await client.startClient({ initialSyncLimit: 10 });
    await waitFor(`${prefix}'s first sync`, () => state === SyncState.Prepared || state === SyncState.Syncing);
    return client;
}

/**
 * Sends `content` as an m.room.message from `from` into the encrypted room and waits up to `ms` until `to` has
 * the event decrypted; resolves to `to`'s MatrixEvent, checked to have gone over the wire encrypted.
 */
export async function sendEncrypted(from, to, roomId, content, ms = 30000) {
    const { event_id: eventId } = await withRateLimitRetry(() => from.sendMessage(roomId, content));
    let event = null;
    try {
        // A failure may be retried by the sdk once the room key arrives, so wait for the cleartext.
        await waitFor(`the decrypted event at ${to.getUserId()}`, () => {
            event = to.getRoom(roomId)?.findEventById(eventId) ?? event;
            return event !== null && !event.isBeingDecrypted() && event.getType() === "m.room.message";
        }, ms);
    } catch {
        throw new AssertionFailure(
            event === null ? "the event never arrived" : `not decrypted: ${event.decryptionFailureReason ?? event.getType()}`,
        );
    }
    assert(event.getWireType() === "m.room.encrypted", `the event went over the wire as ${event.getWireType()}, not encrypted`);
    assert(!event.isDecryptionFailure(), `decryption failed: ${event.decryptionFailureReason ?? event.getContent()?.body}`);
    return event;
}

/**
 * `creator` makes a private room with m.room.encryption (megolm) and invites `invitee`, who joins once the invite
 * reaches its sync; resolves to the room ID when the creator sees the join and treats the room as encrypted.
 * Each wait lasts up to `ms`.
 */
export async function createEncryptedRoom(creator, invitee, ms = 30000) {
    const { room_id: roomId } = await creator.createRoom({
        preset: "private_chat",
        invite: [invitee.getUserId()],
        initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    await waitFor(`${invitee.getUserId()}'s invite`, () => invitee.getRoom(roomId)?.getMyMembership() === "invite", ms);
    await invitee.joinRoom(roomId);
    await waitFor(`${creator.getUserId()} to see the join`, () => creator.getRoom(roomId)?.getMember(invitee.getUserId())?.membership === "join", ms);
    await waitFor("the room to be encrypted for its creator", () => creator.getCrypto().isEncryptionEnabledInRoom(roomId), ms);
    return roomId;
}
