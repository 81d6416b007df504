using Homeserver.Core.Accounts.Uia;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Accounts.Sso;

/// <summary>
/// Single sign-on through CAS (spec "Client login via SSO"): sends the browser to the CAS server, and when it comes
/// back with a ticket, has the CAS server vouch for the user, maps them to a local account (made on first login) and
/// gives the client a login token; or completes an <c>m.login.sso</c> UIA stage for the session's own user.
/// </summary>
public sealed class SsoService(CasOptions options, CasClient cas, ExternalIdStore externalIds, UserStore users, AccountService accounts,
    ProfileService profiles, LoginTokenService loginTokens, UiaService uia, ServerIdentity server, ILogger<SsoService> log)
{
    /// <summary>The identity provider's ID, in <c>identity_providers</c>, <c>/login/sso/redirect/{idpId}</c> and <c>user_external_ids</c>.</summary>
    public const string CasProviderId = "cas";
    /// <summary>The ticket endpoint as Synapse serves it (under r0), which SyTest's CAS server expects as the service.</summary>
    private const string TicketPath = "_matrix/client/r0/login/cas/ticket";

    public bool Enabled => options.Enabled;
    public string IdpName => options.IdpName;

    /// <summary>The CAS login page, which sends the browser back to us and then to <paramref name="redirectUrl"/>.</summary>
    public string LoginRedirect(string? redirectUrl) => cas.LoginUrl(LoginService(CheckedRedirectUrl(redirectUrl)));

    /// <summary>The CAS login page for completing UIA session <paramref name="sessionId"/>; 400 for an unknown one or one of no user.</summary>
    public async Task<string> UiaRedirectAsync(string? sessionId, CancellationToken ct)
    {
        EnsureEnabled();
        if (string.IsNullOrEmpty(sessionId) || await uia.SessionUserAsync(sessionId, ct) is null)
            throw new MatrixException(400, ErrorCodes.Unknown, "Unknown or expired auth session");
        return cas.LoginUrl(UiaService(sessionId));
    }

    /// <summary>
    /// Logs in the user that holds <paramref name="ticket"/>; the client's <paramref name="redirectUrl"/> with a
    /// <c>loginToken</c> for it.
    /// </summary>
    public async Task<(UserId UserId, string RedirectUrl)> CompleteLoginAsync(string? ticket, string? redirectUrl, CancellationToken ct)
    {
        var target = CheckedRedirectUrl(redirectUrl);
        var identity = await cas.ValidateAsync(RequireTicket(ticket), LoginService(target), ct);
        EnsureRequiredAttributes(identity);
        var userId = await AccountOfAsync(identity, ct);
        if (await users.GetAsync(userId.ToString(), ct) is { IsDeactivated: true })
            throw new MatrixException(403, ErrorCodes.UserDeactivated, "This account has been deactivated");
        var token = await loginTokens.CreateAsync(userId, ct);
        log.LogInformation("CAS user {CasUser} logged in as {UserId}", identity.User, userId);
        return (userId, WithQuery(target, "loginToken", token));
    }

    /// <summary>
    /// Completes the <c>m.login.sso</c> stage of UIA session <paramref name="sessionId"/> when the ticket's holder is the
    /// session's user; otherwise spoils the stage for the session. Whether it was the session's user.
    /// </summary>
    public async Task<bool> CompleteUiaAsync(string? ticket, string? sessionId, CancellationToken ct)
    {
        EnsureEnabled();
        if (string.IsNullOrEmpty(sessionId))
            throw MatrixException.MissingParam("Missing session");
        var identity = await cas.ValidateAsync(RequireTicket(ticket), UiaService(sessionId), ct);
        var userId = await externalIds.UserOfAsync(CasProviderId, identity.User, ct);
        var matched = await uia.RecordSsoUserAsync(sessionId, userId is null ? null : UserId.Parse(userId), ct);
        if (!matched)
            log.LogWarning("CAS user {CasUser} ({UserId}) tried to complete another user's UIA session", identity.User, userId ?? "no account");
        return matched;
    }

    /// <summary>The UIA flows a user is offered: the password, and SSO when they have an identity at the provider.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<string>>> UiaFlowsAsync(UserId userId, CancellationToken ct) =>
        options.Enabled && await externalIds.HasAnyAsync(userId.ToString(), ct)
            ? [[UiaStages.Password], [UiaStages.Sso]]
            : [[UiaStages.Password]];

    /// <summary>
    /// The account the CAS user stands for: the one recorded at an earlier login, else the one of the mapped localpart
    /// (an account that existed before SSO, as Synapse adopts it), else a new one.
    /// </summary>
    private async Task<UserId> AccountOfAsync(CasIdentity identity, CancellationToken ct)
    {
        if (await externalIds.UserOfAsync(CasProviderId, identity.User, ct) is { } known)
            return UserId.Parse(known);
        var localpart = SsoLocalpart.From(identity.User);
        accounts.ValidateNewLocalpart(localpart);
        var userId = accounts.UserIdFor(localpart);
        if (!await users.ExistsAsync(userId.ToString(), ct))
        {
            try
            {
                await accounts.CreateAsync(localpart, password: null, admin: false, login: null, ct);
                if (options.DisplaynameAttribute is { Length: > 0 } attribute && identity.Attributes.TryGetValue(attribute, out var names) && names.Count > 0)
                    await profiles.SetFieldAsync(userId, ProfileService.Displayname, names[0], ct);
            }
            catch (MatrixException e) when (e.Errcode == ErrorCodes.UserInUse)
            {
                log.LogInformation("A concurrent first login of CAS user {CasUser} created {UserId}", identity.User, userId);
            }
        }
        await externalIds.AddAsync(CasProviderId, identity.User, userId.ToString(), ct);
        return userId;
    }

    private void EnsureRequiredAttributes(CasIdentity identity)
    {
        foreach (var required in options.RequiredAttributes)
        {
            if (!identity.Attributes.TryGetValue(required.Name, out var values) || (!string.IsNullOrEmpty(required.Value) && !values.Contains(required.Value)))
            {
                log.LogInformation("CAS user {CasUser} lacks the required attribute {Attribute}", identity.User, required.Name);
                throw MatrixException.Forbidden("You are not authorised to log in here");
            }
        }
    }

    private string TicketUrl => (string.IsNullOrEmpty(options.ServiceUrl) ? server.ClientBaseUrl : options.ServiceUrl).TrimEnd('/') + "/" + TicketPath;

    private string LoginService(string redirectUrl) => $"{TicketUrl}?redirectUrl={Uri.EscapeDataString(redirectUrl)}";

    private string UiaService(string sessionId) => $"{TicketUrl}?session={Uri.EscapeDataString(sessionId)}";

    private void EnsureEnabled()
    {
        if (!options.Enabled)
            throw new MatrixException(404, ErrorCodes.Unrecognized, "Single sign-on is not enabled on this server");
    }

    private static string RequireTicket(string? ticket) =>
        string.IsNullOrEmpty(ticket) ? throw MatrixException.MissingParam("Missing ticket") : ticket;

    /// <summary>
    /// The client's redirect URL, which must be absolute; script and data URLs are refused, as the token would be handed
    /// to whatever they run.
    /// </summary>
    private string CheckedRedirectUrl(string? redirectUrl)
    {
        EnsureEnabled();
        if (string.IsNullOrEmpty(redirectUrl))
            throw MatrixException.MissingParam("Missing redirectUrl");
        if (!Uri.TryCreate(redirectUrl, UriKind.Absolute, out var uri) || uri.Scheme is "javascript" or "data" or "vbscript" or "file")
            throw MatrixException.InvalidParam("redirectUrl must be an absolute URL");
        return redirectUrl;
    }

    /// <summary><paramref name="url"/> with one more query parameter, before any fragment.</summary>
    private static string WithQuery(string url, string name, string value)
    {
        var hash = url.IndexOf('#', StringComparison.Ordinal);
        var (head, fragment) = hash < 0 ? (url, "") : (url[..hash], url[hash..]);
        var separator = head.Contains('?', StringComparison.Ordinal) ? (head.EndsWith('?') || head.EndsWith('&') ? "" : "&") : "?";
        return $"{head}{separator}{name}={Uri.EscapeDataString(value)}{fragment}";
    }
}
