using System.Security.Cryptography;
using System.Text;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Accounts.Threepids;

/// <summary>
/// Proving that a user reads an email address (spec "Adding Account Administrative Contact Information"): the server
/// mails a secret link; following it validates the session, which the client then spends once, with its client secret,
/// on a registration or an account. Only a digest of each token is kept, and a session dies after a few wrong tokens.
/// </summary>
public sealed class ValidationService(ValidationSessionStore store, ThreepidStore threepids, EmailSender mail, EmailOptions options,
    ServerIdentity server, TimeProvider time, ILogger<ValidationService> log)
{
    public const string Email = "email";
    /// <summary>Where the mailed link points, below the client API prefix so that reverse proxies pass it.</summary>
    public const string SubmitTokenPath = "_matrix/client/unstable/email/submit_token";
    /// <summary>How long a validated session may wait to be spent (a registration's remaining stages, say).</summary>
    private static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(1);
    private const int MaxFailedAttempts = 5;
    private const int MaxAddressLength = 500;

    /// <summary>Starts (or, for a repeated <paramref name="sendAttempt"/>, returns) a session and mails its token; the session ID.</summary>
    public async Task<string> RequestEmailTokenAsync(ValidationPurpose purpose, string? clientSecret, string? email, long sendAttempt, CancellationToken ct)
    {
        if (!options.Enabled)
            throw new MatrixException(400, ErrorCodes.ThreepidDenied, "This server does not send email");
        ValidateClientSecret(clientSecret);
        var address = CanonicalEmail(email);
        var owner = await threepids.FindOwnerAsync(Email, address, ct);
        if (purpose is ValidationPurpose.PasswordReset ? owner is null : owner is not null)
            throw purpose is ValidationPurpose.PasswordReset
                ? new MatrixException(400, ErrorCodes.ThreepidNotFound, "Email address not found")
                : new MatrixException(400, ErrorCodes.ThreepidInUse, "Email address already in use");
        var now = time.GetUtcNow();
        var latest = await store.GetLatestAsync(clientSecret!, Email, address, ct);
        if (latest is not null && sendAttempt <= latest.SendAttempt && !TokenExpired(latest, now))
            return latest.SessionId;

        var token = SecureTokens.Secret(24);
        var session = new ValidationSessionRecord
        {
            SessionId = SecureTokens.Alphanumeric(24), Medium = Email, Address = address, ClientSecret = clientSecret!,
            TokenHash = SecureTokens.Sha256Hex(token), SendAttempt = sendAttempt, CreatedTs = now.ToUnixTimeMilliseconds(),
        };
        await store.InsertAsync(session, (now - SessionLifetime).ToUnixTimeMilliseconds(), ct);
        var link = $"{server.ClientBaseUrl}{SubmitTokenPath}?token={Uri.EscapeDataString(token)}&client_secret={Uri.EscapeDataString(clientSecret!)}&sid={session.SessionId}";
        try
        {
            var (subject, text) = purpose is ValidationPurpose.PasswordReset
                ? ($"Reset your password on {server.ServerName}",
                    $"Someone asked to reset the password of the Matrix account on {server.ServerName} that has this address. " +
                    $"If it was you, open this link, then go back to your client to choose the new password:\n\n{link}\n\n" +
                    "If you did not ask for this, ignore this mail: your password stays as it is.\n")
                : ($"Confirm your email address for {server.ServerName}",
                    $"To confirm this address for your Matrix account on {server.ServerName}, open this link:\n\n{link}\n\n" +
                    "If you did not ask for this, ignore this mail.\n");
            await mail.SendAsync(address, subject, text, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Could not mail a validation token for a {Purpose}", purpose);
            await store.DeleteAsync(session.SessionId, ct);
            throw new MatrixException(500, ErrorCodes.Unknown, "Could not send the validation email");
        }
        log.LogInformation("Mailed a validation token for a {Purpose} (session {SessionId})", purpose, session.SessionId);
        return session.SessionId;
    }

    /// <summary>The mailed token came back: validates the session, unless it is unknown, expired, or the token or secret is wrong.</summary>
    public async Task SubmitTokenAsync(string? sessionId, string? clientSecret, string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(sessionId) || string.IsNullOrEmpty(clientSecret) || string.IsNullOrEmpty(token))
            throw MatrixException.MissingParam("sid, client_secret and token are required");
        var now = time.GetUtcNow();
        var session = await store.GetAsync(sessionId, ct);
        if (session is null || !SecretMatches(session, clientSecret) || session.FailedAttempts >= MaxFailedAttempts || TokenExpired(session, now))
            throw new MatrixException(400, ErrorCodes.ThreepidAuthFailed, "Unknown or expired validation session");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(session.TokenHash), Encoding.ASCII.GetBytes(SecureTokens.Sha256Hex(token))))
        {
            await store.CountFailureAsync(sessionId, ct);
            log.LogInformation("Wrong validation token for session {SessionId}", sessionId);
            throw new MatrixException(400, ErrorCodes.ThreepidAuthFailed, "Wrong validation token");
        }
        await store.MarkValidatedAsync(sessionId, now.ToUnixTimeMilliseconds(), ct);
    }

    /// <summary>The validated session <paramref name="sessionId"/> of the holder of <paramref name="clientSecret"/>, or null.</summary>
    public async Task<ValidationSessionRecord?> FindValidatedAsync(string? sessionId, string? clientSecret, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(sessionId) || string.IsNullOrEmpty(clientSecret))
            return null;
        var session = await store.GetAsync(sessionId, ct);
        var expired = session is not null && session.CreatedTs < (time.GetUtcNow() - SessionLifetime).ToUnixTimeMilliseconds();
        return session is { ValidatedTs: not null } && SecretMatches(session, clientSecret) && !expired ? session : null;
    }

    /// <summary>A validated session a UIA stage already checked the client secret of, or null when it is gone.</summary>
    public async Task<ValidationSessionRecord?> FindValidatedAsync(string sessionId, CancellationToken ct) =>
        await store.GetAsync(sessionId, ct) is { ValidatedTs: not null } s ? s : null;

    /// <summary>Spends a session, so the same proof cannot add the address to a second account.</summary>
    public Task SpendAsync(string sessionId, CancellationToken ct) => store.DeleteAsync(sessionId, ct);

    /// <summary>Spends a session unless another request spent it first; false then, and the proof must not be used.</summary>
    public Task<bool> TrySpendAsync(string sessionId, CancellationToken ct) => store.TryDeleteAsync(sessionId, ct);

    /// <summary>
    /// A <c>next_link</c> (where the client would send the browser after validation) must be an absolute http(s) URL:
    /// as Synapse, never a local file, and nothing a browser would run as script.
    /// </summary>
    public static void ValidateNextLink(string? nextLink)
    {
        if (nextLink is null)
            return;
        if (!Uri.TryCreate(nextLink, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw MatrixException.InvalidParam("next_link must be an http(s) URL");
    }

    /// <summary>Email addresses compare case-insensitively, as users type them (Synapse lower-cases them too).</summary>
    public static string CanonicalEmail(string? email)
    {
        var trimmed = email?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxAddressLength || !MimeKit.MailboxAddress.TryParse(trimmed, out var parsed)
            || parsed.Address != trimmed || !trimmed.Contains('@'))
            throw MatrixException.InvalidParam("Not a valid email address");
        return trimmed.ToLowerInvariant();
    }

    /// <summary>The spec's client secret: 1 to 255 characters of <c>[0-9a-zA-Z.=_-]</c>.</summary>
    public static void ValidateClientSecret(string? clientSecret)
    {
        if (string.IsNullOrEmpty(clientSecret) || clientSecret.Length > 255 || !clientSecret.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '=' or '_' or '-'))
            throw MatrixException.InvalidParam("client_secret must be 1 to 255 characters of [0-9a-zA-Z.=_-]");
    }

    private bool TokenExpired(ValidationSessionRecord s, DateTimeOffset now) =>
        s.CreatedTs < (now - options.ValidationTokenLifetime.Value).ToUnixTimeMilliseconds();

    private static bool SecretMatches(ValidationSessionRecord s, string clientSecret) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(s.ClientSecret), Encoding.UTF8.GetBytes(clientSecret));
}
