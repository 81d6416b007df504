// Smoke test: the matrix-js-sdk client library registers a user through UIA,
// logs in and calls whoami against a running homeserver.
//
// Usage:  HOMESERVER_URL=http://127.0.0.1:8008 node smoke.mjs
//
// Optional env (see common.mjs):
//   REGISTRATION_TOKEN  token to use if the server's registration flows require
//                       m.login.registration_token
//   SMOKE_TIMEOUT_MS    per-request timeout (default 15000)
//   SMOKE_DEBUG=1       print the sdk's own HTTP debug log (--> / <-- lines)
//
// Prints one PASS/FAIL line per check; last line is
//   smoke: <passed> passed, <failed> failed
// (run.sh sums it with media.mjs's and rooms.mjs's into `js-sdk: N passed, M failed`).
// Exit code 0 only if every check passed.

import { MatrixError } from "matrix-js-sdk";
import {
    AssertionFailure,
    REGISTRATION_TOKEN,
    TIMEOUT_MS,
    BASE_URL,
    assert,
    begin,
    check,
    finish,
    newClient,
    randomLocalpart,
    sdkVersion,
    skip,
} from "./common.mjs";

// --- main --------------------------------------------------------------------
begin("smoke", 8 * TIMEOUT_MS + 5000);

console.log(`js-sdk smoke test against ${BASE_URL} (matrix-js-sdk ${await sdkVersion()})`);

const username = randomLocalpart();
const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
console.log(`username: ${username}`);

let registered = null; // RegisterResponse
let login = null; // LoginResponse
let serverName = null;

// (1) Registration through User-Interactive Auth.
await check("register (UIA)", async () => {
    const client = newClient();

    // First request without `auth`: the server must answer 401 with the UIA
    // description (flows + session). The sdk surfaces this as a MatrixError.
    let uia;
    try {
        const res = await client.registerRequest({
            username,
            password,
            initial_device_display_name: "js-sdk smoke (register)",
        });
        throw new AssertionFailure(
            `expected 401 UIA challenge from POST /register without auth, got success: ${JSON.stringify(res)}`,
        );
    } catch (e) {
        if (e instanceof AssertionFailure) throw e;
        if (!(e instanceof MatrixError) || e.httpStatus !== 401) throw e;
        uia = e.data;
    }
    assert(Array.isArray(uia.flows) && uia.flows.length > 0, `401 body has no flows: ${JSON.stringify(uia)}`);
    assert(typeof uia.session === "string" && uia.session.length > 0, `401 body has no session: ${JSON.stringify(uia)}`);

    // Pick a flow we can complete.
    const supported = new Set(["m.login.dummy"]);
    if (REGISTRATION_TOKEN) supported.add("m.login.registration_token");
    const flow = uia.flows.find(
        (f) => Array.isArray(f.stages) && f.stages.length > 0 && f.stages.every((s) => supported.has(s)),
    );
    assert(
        flow,
        `no completable flow among ${JSON.stringify(uia.flows)} (supported: ${[...supported].join(", ")}` +
            `${REGISTRATION_TOKEN ? "" : "; set REGISTRATION_TOKEN for m.login.registration_token"})`,
    );

    // Complete each stage with MatrixClient.register(username, password, sessionId, auth).
    // Intermediate stages answer 401 with `completed`; the final one answers 200.
    const session = uia.session;
    let result = null;
    for (const [i, stage] of flow.stages.entries()) {
        const auth =
            stage === "m.login.registration_token"
                ? { type: "m.login.registration_token", token: REGISTRATION_TOKEN }
                : { type: "m.login.dummy" };
        const last = i === flow.stages.length - 1;
        try {
            result = await client.register(username, password, session, auth);
            assert(last, `server completed registration after stage ${stage} but flow has more stages`);
        } catch (e) {
            if (e instanceof AssertionFailure || last) throw e;
            if (!(e instanceof MatrixError) || e.httpStatus !== 401) throw e;
            const completed = e.data?.completed ?? [];
            assert(
                completed.includes(stage),
                `after stage ${stage} expected it in 'completed', got ${JSON.stringify(e.data)}`,
            );
        }
    }

    assert(result && typeof result.user_id === "string", `register response has no user_id: ${JSON.stringify(result)}`);
    assert(
        result.user_id.startsWith(`@${username}:`),
        `register user_id ${result.user_id} does not start with @${username}:`,
    );
    assert(typeof result.access_token === "string" && result.access_token, "register response has no access_token");
    assert(typeof result.device_id === "string" && result.device_id, "register response has no device_id");
    registered = result;
    return `flow [${flow.stages.join(", ")}] -> ${result.user_id}`;
});

// (2) Password login with a fresh client (identifier form, m.id.user).
if (registered) {
    await check("login (m.login.password, m.id.user)", async () => {
        const client = newClient();
        const res = await client.loginRequest({
            type: "m.login.password",
            identifier: { type: "m.id.user", user: username },
            password,
            initial_device_display_name: "js-sdk smoke (login)",
        });
        assert(typeof res.user_id === "string", `login response has no user_id: ${JSON.stringify(res)}`);
        const m = /^@([^:]+):(.+)$/.exec(res.user_id);
        assert(m, `login user_id is not a valid MXID: ${res.user_id}`);
        serverName = m[2];
        assert(
            res.user_id === `@${username}:${serverName}`,
            `login user_id ${res.user_id} != @${username}:${serverName}`,
        );
        assert(
            res.user_id === registered.user_id,
            `login user_id ${res.user_id} != registered user_id ${registered.user_id}`,
        );
        assert(typeof res.access_token === "string" && res.access_token, "login response has no access_token");
        assert(typeof res.device_id === "string" && res.device_id, "login response has no device_id");
        assert(res.access_token !== registered.access_token, "login returned the same access_token as register");
        login = res;
        return `${res.user_id} device ${res.device_id}`;
    });
} else {
    skip("login (m.login.password, m.id.user)", "registration failed");
}

// (3) whoami with the login's access token.
if (login) {
    await check("whoami", async () => {
        const client = newClient({
            accessToken: login.access_token,
            userId: login.user_id,
            deviceId: login.device_id,
        });
        const me = await client.whoami();
        assert(
            me.user_id === `@${username}:${serverName}`,
            `whoami user_id ${me.user_id} != @${username}:${serverName}`,
        );
        assert(me.device_id === login.device_id, `whoami device_id ${me.device_id} != login device_id ${login.device_id}`);
        return `${me.user_id} device ${me.device_id}`;
    });
} else {
    skip("whoami", "login failed");
}

// (4) Wrong password is refused with 403 M_FORBIDDEN.
if (registered) {
    await check("wrong password refused (M_FORBIDDEN)", async () => {
        const client = newClient();
        let res;
        try {
            res = await client.loginRequest({
                type: "m.login.password",
                identifier: { type: "m.id.user", user: username },
                password: password + "-wrong",
            });
        } catch (e) {
            if (!(e instanceof MatrixError)) throw e;
            assert(
                e.errcode === "M_FORBIDDEN",
                `expected errcode M_FORBIDDEN, got HTTP ${e.httpStatus} ${e.errcode}: ${e.data?.error ?? ""}`,
            );
            assert(e.httpStatus === 403, `expected HTTP 403 for M_FORBIDDEN, got ${e.httpStatus}`);
            return `HTTP ${e.httpStatus} ${e.errcode}`;
        }
        throw new AssertionFailure(`login with a wrong password succeeded: ${JSON.stringify(res)}`);
    });
} else {
    skip("wrong password refused (M_FORBIDDEN)", "registration failed");
}

finish();
// The sdk arms a (non-unref'd) timer per request for localTimeoutMs; don't wait for them.
process.exit();
