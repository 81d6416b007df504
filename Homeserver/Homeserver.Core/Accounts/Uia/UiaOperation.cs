using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts.Uia;

/// <summary>
/// What a user-interactive auth session authorises: one method on one path, for one user, with one body.
/// A session started for one operation can't be spent on another (e.g. deleting a different device).
/// </summary>
public sealed record UiaOperation(string Method, string Path, UserId? UserId, string BodyDigest)
{
    /// <summary>Fields left out of the digest: the auth dict changes per stage, and secrets must not be stored even hashed.</summary>
    private static readonly string[] ExcludedFields = ["auth", "password", "new_password"];

    /// <summary>
    /// A password reset without an access token: the user is whoever owns the address an <c>m.login.email.identity</c>
    /// stage proves, so that address must belong to an account, where a registration's must belong to none.
    /// </summary>
    public bool ProvesOwnedAddress { get; init; }

    public static UiaOperation PasswordReset(JsonElement body) => For("POST", "/account/password", null, body) with { ProvesOwnedAddress = true };

    public static UiaOperation For(string method, string path, UserId? userId, JsonElement body)
    {
        var node = JsonNode.Parse(body.GetRawText()) as JsonObject ?? new JsonObject();
        foreach (var field in ExcludedFields)
            node.Remove(field);
        byte[] bytes;
        try { bytes = Json.CanonicalJson.Encode(node); }
        catch (Json.CanonicalJsonException) { bytes = System.Text.Encoding.UTF8.GetBytes(node.ToJsonString()); }
        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return new UiaOperation(method, path, userId, digest);
    }

    public string Hash => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{Method}\n{Path}\n{UserId}\n{BodyDigest}")));
}
