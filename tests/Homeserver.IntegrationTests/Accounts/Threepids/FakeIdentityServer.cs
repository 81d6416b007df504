using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Homeserver.IntegrationTests.Accounts.Threepids;

/// <summary>
/// An identity server (Identity Service API v2) on a loopback https port, with a certificate of a throwaway CA: it
/// validates addresses when a test says so, binds them for the bearer of <see cref="AccessToken"/>, records unbinds,
/// answers hashed lookups and holds third-party invites, signing their redemption with <see cref="InviteKey"/>.
/// </summary>
public sealed class FakeIdentityServer : IAsyncDisposable
{
    public const string AccessToken = "identity-access-token";
    private const string Pepper = "fake-pepper";

    private readonly LoopbackWebApp _web;
    private readonly TestCertificateAuthority _ca;
    private readonly ConcurrentDictionary<string, (string Medium, string Address, string Secret)> _sessions = new();
    private int _nextSession;

    private FakeIdentityServer(LoopbackWebApp web, TestCertificateAuthority ca)
    {
        _web = web;
        _ca = ca;
        Name = $"127.0.0.1:{web.Port}";
    }

    /// <summary>The server name clients give as <c>id_server</c>.</summary>
    public string Name { get; }

    /// <summary>Who each address is bound to.</summary>
    public ConcurrentDictionary<(string Medium, string Address), string> Bindings { get; } = new();

    /// <summary>The key that signs third-party invites' redemptions; its public half is what <c>store-invite</c> answers.</summary>
    public Homeserver.Core.Keys.SigningKey InviteKey { get; } = Homeserver.Core.Keys.SigningKey.Generate();

    /// <summary>Public keys the identity server no longer vouches for (<c>pubkey/isvalid</c>).</summary>
    public ConcurrentDictionary<string, bool> RevokedKeys { get; } = new();

    /// <summary>The invites held by <c>store-invite</c>, by token: the room and the inviter.</summary>
    public ConcurrentDictionary<string, (string RoomId, string Sender, string Address)> StoredInvites { get; } = new();

    /// <summary>Signs a third-party invite's redemption as this identity server.</summary>
    public JsonObject Sign(JsonObject signed)
    {
        Homeserver.Core.Keys.JsonSigning.SignJson(signed, Name, InviteKey);
        return signed;
    }

    /// <summary>The bodies of the requests to text a token to a phone number (the API a homeserver delegates to).</summary>
    public ConcurrentQueue<JsonObject> MsisdnTokenRequests { get; } = new();

    /// <summary>The Authorization headers of the unbind requests received.</summary>
    public ConcurrentQueue<string> UnbindAuthorizations { get; } = new();

    /// <summary>Validates an address as if its owner had followed the identity server's own mail; the session ID.</summary>
    public string Validate(string medium, string address, string clientSecret)
    {
        var sid = $"is-session-{Interlocked.Increment(ref _nextSession)}";
        _sessions[sid] = (medium, address, clientSecret);
        return sid;
    }

    public static async Task<FakeIdentityServer> StartAsync()
    {
        var ca = TestCertificateAuthority.Create();
        var (certPath, keyPath) = ca.Issue();
        var certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        FakeIdentityServer? self = null;
        var web = await LoopbackWebApp.StartAsync(app =>
        {
            app.MapPost("/_matrix/identity/v2/3pid/bind", async (HttpContext ctx) =>
            {
                var body = await ctx.Request.ReadFromJsonAsync<JsonElement>();
                if (ctx.Request.Headers.Authorization != $"Bearer {AccessToken}")
                    return Results.Json(new { errcode = "M_UNAUTHORIZED", error = "bad token" }, statusCode: 401);
                if (!self!._sessions.TryGetValue(body.GetProperty("sid").GetString()!, out var s) || s.Secret != body.GetProperty("client_secret").GetString())
                    return Results.Json(new { errcode = "M_NO_VALID_SESSION", error = "no such session" }, statusCode: 400);
                var mxid = body.GetProperty("mxid").GetString()!;
                self.Bindings[(s.Medium, s.Address)] = mxid;
                return Results.Json(new { medium = s.Medium, address = s.Address, mxid, not_before = 0, not_after = 4582425849161, ts = 0 });
            });
            app.MapGet("/_matrix/identity/v2/3pid/getValidated3pid", (HttpContext ctx, string sid, string client_secret) =>
                ctx.Request.Headers.Authorization == $"Bearer {AccessToken}" && self!._sessions.TryGetValue(sid, out var s) && s.Secret == client_secret
                    ? Results.Json(new { medium = s.Medium, address = s.Address, validated_at = 0 })
                    : Results.Json(new { errcode = "M_NO_VALID_SESSION", error = "no such session" }, statusCode: 400));
            app.MapPost("/_matrix/identity/v2/3pid/unbind", async (HttpContext ctx) =>
            {
                var body = JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync())!;
                self!.UnbindAuthorizations.Enqueue(ctx.Request.Headers.Authorization.ToString());
                var key = (body["threepid"]!["medium"]!.GetValue<string>(), body["threepid"]!["address"]!.GetValue<string>());
                if (!self.Bindings.TryGetValue(key, out var mxid) || mxid != body["mxid"]!.GetValue<string>())
                    return Results.Json(new { errcode = "M_NOT_FOUND", error = "not bound" }, statusCode: 404);
                self.Bindings.TryRemove(key, out _);
                return Results.Json(new { });
            });
            app.MapPost("/_matrix/identity/api/v1/validate/msisdn/requestToken", async (HttpContext ctx) =>
            {
                var body = JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync())!.AsObject();
                self!.MsisdnTokenRequests.Enqueue(body);
                return Results.Json(new { success = true, sid = $"msisdn-session-{Interlocked.Increment(ref self._nextSession)}", intl_fmt = "+44 7700 900123" });
            });
            app.MapGet("/_matrix/identity/v2/hash_details", () => Results.Json(new { lookup_pepper = Pepper, algorithms = new[] { "none", "sha256" } }));
            app.MapPost("/_matrix/identity/v2/lookup", async (HttpContext ctx) =>
            {
                var body = JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync())!;
                if (ctx.Request.Headers.Authorization != $"Bearer {AccessToken}")
                    return Results.Json(new { errcode = "M_UNAUTHORIZED", error = "bad token" }, statusCode: 401);
                if (body["algorithm"]?.GetValue<string>() != "sha256" || body["pepper"]?.GetValue<string>() != Pepper)
                    return Results.Json(new { errcode = "M_INVALID_PEPPER", error = "wrong pepper" }, statusCode: 400);
                var mappings = new JsonObject();
                foreach (var ((medium, address), mxid) in self!.Bindings)
                {
                    var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{address} {medium} {Pepper}")))
                        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
                    if (body["addresses"]!.AsArray().Any(a => a!.GetValue<string>() == hash))
                        mappings[hash] = mxid;
                }
                return Results.Json(new JsonObject { ["mappings"] = mappings });
            });
            app.MapPost("/_matrix/identity/v2/store-invite", async (HttpContext ctx) =>
            {
                var body = JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync())!;
                if (ctx.Request.Headers.Authorization != $"Bearer {AccessToken}")
                    return Results.Json(new { errcode = "M_UNAUTHORIZED", error = "bad token" }, statusCode: 401);
                var token = $"invite-token-{Interlocked.Increment(ref self!._nextSession)}";
                self.StoredInvites[token] = (body["room_id"]!.GetValue<string>(), body["sender"]!.GetValue<string>(), body["address"]!.GetValue<string>());
                var validity = $"https://{self.Name}/_matrix/identity/v2/pubkey/isvalid";
                return Results.Json(new
                {
                    token,
                    display_name = "in...@example.org",
                    public_keys = new[] { new { public_key = self.InviteKey.PublicKeyBase64, key_validity_url = validity } },
                });
            });
            app.MapGet("/_matrix/identity/v2/pubkey/isvalid", (string public_key) =>
                Results.Json(new { valid = public_key == self!.InviteKey.PublicKeyBase64 && !self.RevokedKeys.ContainsKey(public_key) }));
        }, certificate: certificate);
        self = new FakeIdentityServer(web, ca);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _web.DisposeAsync();
        _ca.Dispose();
    }
}
