using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Accounts.Passwords;
using Homeserver.Core.Accounts.Threepids;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Accounts.Uia;

/// <summary>
/// User-interactive authentication (spec "User-Interactive Authentication API"): walks the client through
/// the stages of one of the offered flows, remembering progress in a session bound to one operation.
/// </summary>
public sealed class UiaService(UiaSessionStore store, PasswordChecker passwords, RegistrationTokenService registrationTokens, ValidationService validation,
    ThreepidStore threepids, ServerIdentity server, TimeProvider time,
    ILogger<UiaService> log)
{
    private static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(30);

    /// <summary>What a registration's session remembers (see <see cref="RememberRegistrationAsync"/>).</summary>
    public sealed record RegistrationMemory(JsonObject Params, string? PasswordHash, UserId? RegisteredUserId);

    /// <summary>
    /// Returns once a flow is complete, with what the session holds for a registration to complete (a database
    /// registration token's pending use, a proven email address); otherwise throws <see cref="UiaRequiredException"/> (or a plain error).
    /// A completed session is spent unless <paramref name="keepCompleted"/>: registration keeps it, so that repeating the
    /// request answers with the user it registered.
    /// </summary>
    public async Task<UiaCompletion> AuthenticateAsync(UiaOperation op, JsonElement body, IReadOnlyList<IReadOnlyList<string>> flows, CancellationToken ct,
        bool keepCompleted = false)
    {
        var auth = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("auth", out var a) && a.ValueKind == JsonValueKind.Object ? a : (JsonElement?)null;
        var now = time.GetUtcNow();
        var sessionId = SessionIdOf(body);
        UiaSessionRecord session;
        if (sessionId is null)
        {
            session = new UiaSessionRecord { SessionId = SecureTokens.Secret(18), OperationHash = op.Hash, UserId = op.UserId?.ToString(), CreatedTs = now.ToUnixTimeMilliseconds() };
            await store.InsertAsync(session, (now - SessionLifetime).ToUnixTimeMilliseconds(), ct);
        }
        else
        {
            session = await store.GetAsync(sessionId, ct) ?? throw new MatrixException(400, ErrorCodes.Unknown, "Unknown or expired auth session");
            if (session.CreatedTs < (now - SessionLifetime).ToUnixTimeMilliseconds())
                throw new MatrixException(400, ErrorCodes.Unknown, "Unknown or expired auth session");
            if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(session.OperationHash), System.Text.Encoding.ASCII.GetBytes(op.Hash)))
                throw MatrixException.Forbidden("Requested operation has changed during the UI authentication session");
        }
        var completed = JsonSerializer.Deserialize<List<string>>(session.CompletedStages) ?? [];
        if (session.SsoUserId is { } ssoUser)
        {
            // The browser proved someone at the identity provider; only the session's own user completes the stage.
            if (op.UserId is null || ssoUser != op.UserId.Value.ToString())
                throw MatrixException.Forbidden("The single sign-on user is not the user of this session");
            if (!completed.Contains(UiaStages.Sso))
                completed.Add(UiaStages.Sso);
        }
        // None of the stages we offer needs parameters; the key must still be present.
        var stageParams = new Dictionary<string, object?>();

        var stage = auth is { } au2 && au2.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (stage is not null && !(stage == UiaStages.Sso && completed.Contains(stage)))
        {
            if (!flows.Any(f => f.Contains(stage)))
                throw new UiaRequiredException(flows, session.SessionId, completed, stageParams, ErrorCodes.Unrecognized, $"Stage '{stage}' is not offered");
            var failure = await CheckStageAsync(stage, auth!.Value, op, session.SessionId, ct);
            if (failure is not null)
            {
                log.LogInformation("UIA stage {Stage} of {Method} {Path} failed for {UserId}: {Reason}", stage, op.Method, op.Path, op.UserId?.ToString() ?? "a new account", failure.Value.Reason);
                throw new UiaRequiredException(flows, session.SessionId, completed, stageParams, ErrorCodes.Forbidden, failure.Value.Message);
            }
            if (!completed.Contains(stage))
            {
                completed.Add(stage);
                await store.SetCompletedAsync(session.SessionId, JsonSerializer.Serialize(completed), ct);
            }
        }
        if (flows.Any(f => f.All(completed.Contains)))
        {
            // Read again: a stage of this very request may have just given the session its token or address.
            var held = await store.GetAsync(session.SessionId, ct);
            if (!keepCompleted)
                await store.DeleteAsync(session.SessionId, ct);
            return new UiaCompletion(session.SessionId, held?.RegistrationToken, held?.ThreepidSession);
        }
        throw new UiaRequiredException(flows, session.SessionId, completed, stageParams);
    }

    /// <summary>The user a live session is authenticating; null for an unknown or expired session or one of a new account.</summary>
    public async Task<UserId?> SessionUserAsync(string sessionId, CancellationToken ct)
    {
        var session = await store.GetAsync(sessionId, ct);
        return session?.UserId is { } id && session.CreatedTs >= (time.GetUtcNow() - SessionLifetime).ToUnixTimeMilliseconds() ? UserId.Parse(id) : null;
    }

    /// <summary>
    /// Records whom single sign-on proved for the session (<paramref name="ssoUser"/>, null when the identity provider's
    /// user has no account here): the session's own user completes its <c>m.login.sso</c> stage, anyone else spoils the
    /// session, whose next request is refused. Whether it was the session's user.
    /// </summary>
    public async Task<bool> RecordSsoUserAsync(string sessionId, UserId? ssoUser, CancellationToken ct)
    {
        var sessionUser = await SessionUserAsync(sessionId, ct) ?? throw new MatrixException(400, ErrorCodes.Unknown, "Unknown or expired auth session");
        var matched = ssoUser == sessionUser;
        await store.SetSsoUserAsync(sessionId, matched ? sessionUser.ToString() : "", ct);
        return matched;
    }

    /// <summary>The session a request's <c>auth</c> names, if any.</summary>
    public static string? SessionIdOf(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("auth", out var a) && a.ValueKind == JsonValueKind.Object
            && a.TryGetProperty("session", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;

    /// <summary>What the live session <paramref name="sessionId"/> remembers of a registration; null for an unknown or expired one.</summary>
    public async Task<RegistrationMemory?> RegistrationMemoryAsync(string sessionId, CancellationToken ct)
    {
        var session = await store.GetAsync(sessionId, ct);
        if (session is null || session.CreatedTs < (time.GetUtcNow() - SessionLifetime).ToUnixTimeMilliseconds())
            return null;
        var parameters = session.ClientParams is { } json && JsonNode.Parse(json) is JsonObject o ? o : [];
        return new RegistrationMemory(parameters, session.PasswordHash, session.RegisteredUserId is { } id ? UserId.Parse(id) : null);
    }

    /// <summary>
    /// Remembers a registration's parameters (never its password, only <paramref name="passwordHash"/>, kept once given),
    /// as Synapse does: a client may send them once and later only the session.
    /// </summary>
    public Task RememberRegistrationAsync(string sessionId, JsonObject parameters, string? passwordHash, CancellationToken ct) =>
        store.SetClientParamsAsync(sessionId, parameters.ToJsonString(), passwordHash, ct);

    public Task SetRegisteredUserAsync(string sessionId, UserId userId, CancellationToken ct) =>
        store.SetRegisteredUserAsync(sessionId, userId.ToString(), ct);

    /// <summary>Why a stage failed: <paramref name="Message"/> for the client, <paramref name="Reason"/> for the log.</summary>
    private readonly record struct StageFailure(string Message, string Reason);

    private async Task<StageFailure?> CheckStageAsync(string stage, JsonElement auth, UiaOperation op, string sessionId, CancellationToken ct)
    {
        const string badCredentials = "Invalid username or password";
        switch (stage)
        {
            case UiaStages.Dummy:
                return null;
            case UiaStages.RegistrationToken:
                var token = auth.TryGetProperty("token", out var tk) && tk.ValueKind == JsonValueKind.String ? tk.GetString() : null;
                if (token is not null && await registrationTokens.TryUseAsync(token, sessionId, ct))
                    return null;
                return new StageFailure("Invalid registration token", token is null ? "no token given" : "unknown, used up or expired token");
            case UiaStages.Password:
                var userId = UserIdentifiers.Resolve(auth, server.ServerName);
                if (op.UserId is not null && userId != op.UserId)
                    throw MatrixException.Forbidden("The credentials given are not those of the user making the request");
                var password = auth.TryGetProperty("password", out var pw) && pw.ValueKind == JsonValueKind.String ? pw.GetString() : null;
                if (password is null)
                    return new StageFailure(badCredentials, "no password given");
                if (userId is not { } id)
                    return new StageFailure(badCredentials, "not a user ID");
                var check = await passwords.CheckAsync(id, password, ct);
                if (check.User is { IsDeactivated: false })
                    return null;
                return new StageFailure(badCredentials, check.Failure ?? "the account is deactivated");
            case UiaStages.EmailIdentity:
                var creds = auth.TryGetProperty("threepid_creds", out var tc) || auth.TryGetProperty("threepidCreds", out tc) ? tc : default;
                var proven = creds.ValueKind == JsonValueKind.Object
                    ? await validation.FindValidatedAsync(StringOf(creds, "sid"), StringOf(creds, "client_secret"), ct)
                    : null;
                if (proven is null)
                    return new StageFailure("The email address has not been validated", "no validated session for these credentials");
                var owner = op.UserId is null ? await threepids.FindOwnerAsync(proven.Medium, proven.Address, ct) : null;
                if (op.ProvesOwnedAddress && owner is null)
                    throw new MatrixException(404, ErrorCodes.NotFound, "Email address not found");
                if (op.UserId is null && !op.ProvesOwnedAddress && owner is not null)
                    throw new MatrixException(400, ErrorCodes.ThreepidInUse, "Email address already in use");
                await store.SetThreepidSessionAsync(sessionId, proven.SessionId, ct);
                return null;
            case UiaStages.Sso:
                // A completed SSO stage was already counted from the session; the client cannot complete it itself.
                return new StageFailure("Complete single sign-on through the fallback page first", "SSO not completed in the browser");
            default:
                return new StageFailure($"Stage '{stage}' is not supported", "unsupported stage");
        }
    }

    private static string? StringOf(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
