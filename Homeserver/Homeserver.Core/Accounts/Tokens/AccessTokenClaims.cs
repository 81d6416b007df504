namespace Homeserver.Core.Accounts.Tokens;

/// <summary>Claim names inside our access-token JWTs.</summary>
public static class AccessTokenClaims
{
    public const string UserId = "sub";
    public const string DeviceId = "dev";
    public const string SessionId = "sid";

    /// <summary>Present on a guest account's tokens; the endpoints a guest may not call refuse them without a lookup.</summary>
    public const string Guest = "gst";

    /// <summary>On a request made with an application service's <c>as_token</c>: that service's ID.</summary>
    public const string AppServiceId = "as";
}
