using Homeserver.Core.Accounts.Sso;
using Homeserver.Core.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Auth;

/// <summary>
/// Single sign-on in the browser (spec "Client login via SSO"): the redirects to the identity provider (CAS), the
/// ticket endpoint it sends the browser back to, and the fallback page of the <c>m.login.sso</c> UIA stage.
/// </summary>
public static class SsoEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/login/sso/redirect
        v3.MapGet("/login/sso/redirect", (string? redirectUrl, SsoService sso) => Results.Redirect(sso.LoginRedirect(redirectUrl)));

        // GET /_matrix/client/v3/login/sso/redirect/{idpId}
        v3.MapGet("/login/sso/redirect/{idpId}", (string idpId, string? redirectUrl, SsoService sso) =>
            idpId == SsoService.CasProviderId && sso.Enabled
                ? Results.Redirect(sso.LoginRedirect(redirectUrl))
                : throw MatrixException.NotFound($"Unknown identity provider '{idpId}'"));

        // GET /_matrix/client/v3/login/cas/redirect (the legacy m.login.cas flow, as Synapse serves it)
        v3.MapGet("/login/cas/redirect", (string? redirectUrl, SsoService sso) => Results.Redirect(sso.LoginRedirect(redirectUrl)));

        // GET /_matrix/client/v3/login/cas/ticket: where the CAS server sends the browser back, for a login or a UIA session.
        v3.MapGet("/login/cas/ticket", async (string? ticket, string? redirectUrl, string? session, SsoService sso, CancellationToken ct) =>
        {
            if (session is not null)
                return SsoPages.UiaDone(await sso.CompleteUiaAsync(ticket, session, ct));
            var (userId, target) = await sso.CompleteLoginAsync(ticket, redirectUrl, ct);
            return SsoPages.ConfirmLogin(userId.ToString(), target);
        });

        // GET /_matrix/client/v3/auth/m.login.sso/fallback/web
        v3.MapGet("/auth/m.login.sso/fallback/web", async (string? session, SsoService sso, CancellationToken ct) =>
            SsoPages.UiaStart(sso.IdpName, await sso.UiaRedirectAsync(session, ct)));
    }
}
