using System.Net;
using Microsoft.AspNetCore.Http;

namespace ClientApi.Auth;

/// <summary>The small pages the browser sees during single sign-on. Every value put in them is HTML-encoded.</summary>
internal static class SsoPages
{
    private const string HtmlType = "text/html; charset=utf-8";

    /// <summary>
    /// Asks the user to confirm before the login token goes to the client's URL, so a link crafted by someone else
    /// cannot log the user in to the attacker's client unnoticed (as Synapse asks of clients it does not know).
    /// </summary>
    public static IResult ConfirmLogin(string userId, string redirectUrl) => Page("Continue to your application",
        $"<p>You are signed in as {Encode(userId)}. Continue to the application that asked you to sign in, at {Encode(HostOf(redirectUrl))}.</p>" +
        $"<p><a href=\"{Encode(redirectUrl)}\">Continue</a></p>" +
        "<p>If you did not ask to sign in, close this page: the link gives access to your account.</p>");

    /// <summary>The fallback page of the <c>m.login.sso</c> UIA stage: a link to the identity provider.</summary>
    public static IResult UiaStart(string providerName, string loginUrl) => Page("Confirm your identity",
        $"<p>To continue, confirm your identity with {Encode(providerName)}.</p><p><a href=\"{Encode(loginUrl)}\">Continue with {Encode(providerName)}</a></p>");

    /// <summary>
    /// The end of the fallback: on success it tells the client as the spec's fallback pages do (<c>onAuthDone</c> or a
    /// posted <c>authDone</c> message).
    /// </summary>
    public static IResult UiaDone(bool success) => success
        ? Page("Authentication successful",
            "<p>You have confirmed your identity. You can close this page and return to the application.</p>" +
            "<script>if (window.onAuthDone) { window.onAuthDone(); } else if (window.opener && window.opener.postMessage) { window.opener.postMessage(\"authDone\", \"*\"); }</script>")
        : Page("Authentication failed",
            "<p>The account you signed in with is not the one that asked to confirm its identity. Close this page and try again.</p>");

    private static IResult Page(string title, string body) =>
        Results.Content($"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{Encode(title)}</title></head><body><h1>{Encode(title)}</h1>{body}</body></html>", HtmlType);

    private static string Encode(string value) => WebUtility.HtmlEncode(value);

    private static string HostOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Host.Length > 0 ? u.Host : url;
}
