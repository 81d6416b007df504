// Shared by the js-sdk test scripts (smoke.mjs, media.mjs): environment, a quiet
// sdk client factory and a tiny PASS/FAIL reporter.
//
// Every script prints one PASS/FAIL line per check and, as its last line,
//   <label>: <passed> passed, <failed> failed
// (label = the script's name: "smoke", "media"). run.sh sums those lines into
// the suite's single final line `js-sdk: N passed, M failed`.
//
// Environment (read here, the same for every script):
//   HOMESERVER_URL      base URL of the running homeserver (required)
//   REGISTRATION_TOKEN  token to use if the server's registration flows require
//                       m.login.registration_token
//   SMOKE_TIMEOUT_MS    per-request timeout (default 15000)
//   SMOKE_DEBUG=1       print the sdk's own HTTP debug log (--> / <-- lines)

import { createClient, MatrixError, ConnectionError } from "matrix-js-sdk";
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
 * Names the script for its summary line, checks HOMESERVER_URL and arms a hard
 * watchdog so a hung server can never hang CI. Exits (after the summary line)
 * when HOMESERVER_URL is missing or invalid.
 */
export function begin(scriptLabel, watchdogMs) {
    label = scriptLabel;
    if (!BASE_URL) {
        fail("setup", "HOMESERVER_URL is not set (e.g. HOMESERVER_URL=http://127.0.0.1:8008)");
        finish();
        process.exit();
    }
    try {
        new URL(BASE_URL);
    } catch {
        fail("setup", `HOMESERVER_URL is not a valid URL: ${BASE_URL}`);
        finish();
        process.exit();
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
