using Homeserver.Core.Accounts;

namespace ClientApi.Auth;

/// <summary>The body login and registration answer with.</summary>
public static class SessionResponse
{
    public static Dictionary<string, object?> For(IssuedSession s, string serverName, string? baseUrl)
    {
        var body = new Dictionary<string, object?>
        {
            ["user_id"] = s.UserId,
            ["access_token"] = s.AccessToken,
            ["device_id"] = s.DeviceId,
            ["home_server"] = serverName,
        };
        if (s.RefreshToken is not null)
        {
            body["refresh_token"] = s.RefreshToken;
            body["expires_in_ms"] = s.ExpiresInMs;
        }
        if (baseUrl is not null)
            body["well_known"] = new Dictionary<string, object> { ["m.homeserver"] = new { base_url = baseUrl } };
        return body;
    }
}
