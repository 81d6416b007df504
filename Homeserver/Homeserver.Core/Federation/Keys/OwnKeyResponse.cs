using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Keys;

namespace Homeserver.Core.Federation.Keys;

/// <summary>Our key response (<c>/_matrix/key/v2/server</c>, and our own entry in notary answers), self-signed.</summary>
public static class OwnKeyResponse
{
    /// <summary>How long other servers may cache our key response before asking again.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromDays(1);

    public static JsonObject Build(ServerIdentity server, SigningKey key, TimeProvider time)
    {
        var body = new JsonObject
        {
            ["server_name"] = server.ServerName,
            ["valid_until_ts"] = (time.GetUtcNow() + Validity).ToUnixTimeMilliseconds(),
            ["verify_keys"] = new JsonObject { [key.KeyId] = new JsonObject { ["key"] = key.PublicKeyBase64 } },
            ["old_verify_keys"] = new JsonObject(),
        };
        JsonSigning.SignJson(body, server.ServerName, key);
        return body;
    }
}
