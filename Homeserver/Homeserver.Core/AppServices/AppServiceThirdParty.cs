using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;

namespace Homeserver.Core.AppServices;

/// <summary>
/// The third-party networks the bridges reach (spec "Third-party networks"), answered by asking the services that
/// declare each protocol (<c>GET /_matrix/app/v1/thirdparty/…</c>) and merged as Synapse merges them: a protocol's
/// metadata comes from the first service that describes it, with every service's <c>instances</c> appended, each given
/// an <c>instance_id</c> of <c>serviceId|network_id</c>; lookups concatenate the services' valid results. A service that
/// fails or answers nonsense contributes nothing.
/// </summary>
public sealed class AppServiceThirdParty(AppServiceRegistry registry, AppServiceClient client, TimeProvider time)
{
    /// <summary>
    /// How long a service's description of a protocol is reused, as Synapse caches it: clients ask for the protocols
    /// whenever they open a room directory, and a bridge's networks rarely change. A failed answer is not kept.
    /// </summary>
    public static readonly TimeSpan ProtocolCacheLifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<(string Service, string Protocol), (JsonObject Info, DateTimeOffset Until)> _protocols = new();

    public const string Location = "location";
    public const string User = "user";

    /// <summary>The <c>instance_id</c> of a service's network, as <c>/publicRooms</c> takes it in <c>third_party_instance_id</c>.</summary>
    public static string InstanceId(string appServiceId, string networkId) => $"{appServiceId}|{networkId}";

    public async Task<JsonObject> ProtocolsAsync(CancellationToken ct)
    {
        var merged = new JsonObject();
        foreach (var protocol in registry.All.SelectMany(s => s.Protocols).Distinct(StringComparer.Ordinal))
            if (await ProtocolOrNullAsync(protocol, ct) is { } info)
                merged[protocol] = info;
        return merged;
    }

    public async Task<JsonObject> ProtocolAsync(string protocol, CancellationToken ct) =>
        await ProtocolOrNullAsync(protocol, ct) ?? throw MatrixException.NotFound("Unknown protocol");

    /// <summary>
    /// <c>/thirdparty/location</c> or <c>/thirdparty/user</c>: with a protocol, asks the services declaring it with the
    /// client's fields; without, a reverse lookup (<c>alias</c> or <c>userid</c>) asked of every service with a protocol.
    /// </summary>
    public async Task<JsonArray> LookupAsync(string kind, string? protocol, IReadOnlyList<KeyValuePair<string, string>> fields, CancellationToken ct)
    {
        var path = $"thirdparty/{kind}" + (protocol is null ? "" : "/" + Uri.EscapeDataString(protocol));
        if (fields.Count > 0)
            path += "?" + string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
        var idField = kind == Location ? "alias" : "userid";
        var results = new JsonArray();
        foreach (var service in Declaring(protocol))
            if (await AskAsync(service, path, ct) is JsonArray list)
                foreach (var r in list)
                    if (r is JsonObject o && IsString(o["protocol"]) && IsString(o[idField]) && o["fields"] is JsonObject)
                        results.Add(o.DeepClone());
        return results;
    }

    private async Task<JsonObject?> ProtocolOrNullAsync(string protocol, CancellationToken ct)
    {
        JsonObject? merged = null;
        foreach (var service in Declaring(protocol))
        {
            if (await DescriptionAsync(service, protocol, ct) is not { } info)
                continue;
            var instances = (JsonArray)info["instances"]!;
            if (merged is null)
                merged = info;
            else
                foreach (var instance in instances)
                    ((JsonArray)merged["instances"]!).Add(instance?.DeepClone());
        }
        return merged;
    }

    /// <summary>The service's own description of the protocol, with <c>instance_id</c>s added; a copy the caller may change.</summary>
    private async Task<JsonObject?> DescriptionAsync(AppServiceRegistration service, string protocol, CancellationToken ct)
    {
        var key = (service.Id, protocol);
        if (_protocols.TryGetValue(key, out var cached) && cached.Until > time.GetUtcNow())
            return (JsonObject)cached.Info.DeepClone();
        if (await AskAsync(service, $"thirdparty/protocol/{Uri.EscapeDataString(protocol)}", ct) is not JsonObject info
            || info["instances"] is not JsonArray instances)
            return null;
        foreach (var instance in instances.OfType<JsonObject>())
            if (instance["network_id"] is JsonValue id && id.TryGetValue<string>(out var networkId))
                instance["instance_id"] = InstanceId(service.Id, networkId);
        _protocols[key] = (info, time.GetUtcNow() + ProtocolCacheLifetime);
        return (JsonObject)info.DeepClone();
    }

    private IEnumerable<AppServiceRegistration> Declaring(string? protocol) =>
        registry.All.Where(s => s.Url is not null && (protocol is null ? s.Protocols.Count > 0 : s.Protocols.Contains(protocol)));

    private async Task<JsonNode?> AskAsync(AppServiceRegistration service, string path, CancellationToken ct)
    {
        var result = await client.GetAsync(service, path, ct);
        if (!result.Succeeded || result.Body is null)
            return null;
        try
        {
            return JsonNode.Parse(result.Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsString(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out _);
}
