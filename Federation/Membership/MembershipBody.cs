using System.Text.Json.Nodes;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Http;

namespace Federation.Membership;

/// <summary>The PDU a <c>send_*</c> or <c>invite</c> request carries, as a JSON object the core can parse for the room's version.</summary>
internal static class MembershipBody
{
    public static async Task<JsonObject> ReadAsync(HttpRequest request, CancellationToken ct) =>
        JsonNode.Parse((await JsonBody.ReadObjectAsync(request, ct)).GetRawText())!.AsObject();
}
