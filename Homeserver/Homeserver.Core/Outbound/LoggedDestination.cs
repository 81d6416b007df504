namespace Homeserver.Core.Outbound;

/// <summary>
/// An outbound destination as the log shows it: scheme, host, port and, when asked, the path; never user info or a
/// query, which may carry credentials. A Web Push endpoint's path is itself the subscription's secret.
/// </summary>
public static class LoggedDestination
{
    public static string Of(string url, bool withPath) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri.GetComponents(withPath ? UriComponents.SchemeAndServer | UriComponents.Path : UriComponents.SchemeAndServer, UriFormat.UriEscaped)
            : "(an invalid URL)";
}
