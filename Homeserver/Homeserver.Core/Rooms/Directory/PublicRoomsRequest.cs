using System.Text.Json.Nodes;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// What <c>/publicRooms</c> is asked, the same for clients and other servers: a <c>POST</c> body, or a <c>GET</c>'s
/// query parameters (<see cref="FromQuery"/>); forwarded in either form to another server when a client names one.
/// </summary>
public sealed record PublicRoomsRequest
{
    public sealed record FilterBody
    {
        public string? GenericSearchTerm { get; init; }
        public List<string?>? RoomTypes { get; init; }
    }

    public int? Limit { get; init; }
    public string? Since { get; init; }
    public FilterBody? Filter { get; init; }
    public bool? IncludeAllNetworks { get; init; }
    public string? ThirdPartyInstanceId { get; init; }

    public PublicRoomsScope Scope => PublicRoomsScope.From(IncludeAllNetworks ?? false, ThirdPartyInstanceId);

    public PublicRoomsFilter FilterOrNone => Filter is null ? PublicRoomsFilter.None : new(Filter.GenericSearchTerm, Filter.RoomTypes);

    /// <summary>The page size asked for; a negative one is refused.</summary>
    public int? ValidLimit => Limit is < 0 ? throw MatrixException.InvalidParam("limit must not be negative") : Limit;

    /// <summary>A <c>GET</c>'s parameters. The spec gives the client's GET no network parameters; like Synapse we take them.</summary>
    /// <param name="param">A query parameter's value by name; null when absent.</param>
    public static PublicRoomsRequest FromQuery(Func<string, string?> param) => new()
    {
        Limit = param("limit") is not { } limit ? null
            : int.TryParse(limit, out var n) ? n : throw MatrixException.InvalidParam("limit must be an integer"),
        Since = param("since"),
        IncludeAllNetworks = param("include_all_networks") switch
        {
            null or "" or "false" => false,
            "true" => true,
            _ => throw MatrixException.InvalidParam("include_all_networks must be true or false"),
        },
        ThirdPartyInstanceId = param("third_party_instance_id"),
    };

    /// <summary>The request as a <c>GET</c>'s query string (without the filter, which a GET cannot carry), from <c>?</c>.</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        if (Limit is { } limit)
            parts.Add("limit=" + limit);
        if (!string.IsNullOrEmpty(Since))
            parts.Add("since=" + Uri.EscapeDataString(Since));
        if (IncludeAllNetworks == true)
            parts.Add("include_all_networks=true");
        if (ThirdPartyInstanceId is not null)
            parts.Add("third_party_instance_id=" + Uri.EscapeDataString(ThirdPartyInstanceId));
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    /// <summary>The request as a <c>POST</c> body.</summary>
    public JsonObject ToJson()
    {
        var body = new JsonObject();
        if (Limit is { } limit)
            body["limit"] = limit;
        if (!string.IsNullOrEmpty(Since))
            body["since"] = Since;
        if (IncludeAllNetworks == true)
            body["include_all_networks"] = true;
        if (ThirdPartyInstanceId is not null)
            body["third_party_instance_id"] = ThirdPartyInstanceId;
        if (Filter is not null)
        {
            var filter = new JsonObject();
            if (Filter.GenericSearchTerm is not null)
                filter["generic_search_term"] = Filter.GenericSearchTerm;
            if (Filter.RoomTypes is not null)
                filter["room_types"] = new JsonArray(Filter.RoomTypes.Select(t => (JsonNode?)t).ToArray());
            body["filter"] = filter;
        }
        return body;
    }
}
