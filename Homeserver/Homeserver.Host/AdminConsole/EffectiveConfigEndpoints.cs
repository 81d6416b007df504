using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Homeserver.Core.Configuration;
using Homeserver.Http.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Homeserver.Host.AdminConsole;

/// <summary>
/// <c>GET /_homeserver/admin/v1/config</c>: the configuration the server runs with, after environment overrides, for
/// admins. Synapse's admin API has no such call, so it lives under this server's own admin prefix. Secrets are
/// masked by key name, so a key added later is masked without anyone remembering to.
/// </summary>
public static partial class EffectiveConfigEndpoints
{
    public const string Prefix = "/_homeserver/admin";

    [GeneratedRegex("secret|password|token|connection_string|^configuration$|access_key|private|^key$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKey();

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Map(IEndpointRouteBuilder app, HomeserverOptions options)
    {
        var admin = app.MapGroup(Prefix).RequireAuthorization().RequireServerAdmin();
        admin.MapGet("/v1/config", () => Results.Text(Masked(options).ToJsonString(), "application/json"));
    }

    internal static JsonNode Masked(HomeserverOptions options)
    {
        var node = JsonSerializer.SerializeToNode(options, Json)!;
        Mask(node);
        return node;
    }

    private static void Mask(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    if (SecretKey().IsMatch(key) && value is JsonValue or JsonArray && !IsEmpty(value))
                        o[key] = "***";
                    else
                        Mask(value);
                }
                break;
            case JsonArray a:
                foreach (var item in a)
                    Mask(item);
                break;
        }
    }

    private static bool IsEmpty(JsonNode value) =>
        value is JsonArray { Count: 0 } || (value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0);
}
