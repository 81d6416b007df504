using System.Net;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Rooms;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation.Reads;

/// <summary>The asking server's side of the federation reads: signed requests from its <see cref="FederationClient"/> to the host.</summary>
internal sealed class FederationReader(TestHomeserver asker, TestHomeserver host)
{
    public const string V1 = "/_matrix/federation/v1";

    public static string Escape(string id) => Uri.EscapeDataString(id);

    /// <summary>A user ID on the asking server.</summary>
    public string RemoteUser(string localpart) => $"@{localpart}:{asker.Options.ServerName}";

    public async Task<(HttpStatusCode Status, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonObject? body = null)
    {
        var response = await asker.Services.GetRequiredService<FederationClient>()
            .SendAsync(method, host.Options.ServerName, V1 + path, body, CancellationToken.None);
        return (response.StatusCode, JsonNode.Parse(response.Body)!.AsObject());
    }

    public Task<(HttpStatusCode Status, JsonObject Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    /// <summary>A request that must be answered 200; its body.</summary>
    public async Task<JsonObject> OkAsync(string path, JsonObject? body = null)
    {
        var (status, answer) = await SendAsync(body is null ? HttpMethod.Get : HttpMethod.Post, path, body);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {(int)status} {answer.ToJsonString()}");
        return answer;
    }

    /// <summary>A request that must be refused with <paramref name="status"/> and <paramref name="errcode"/>.</summary>
    public async Task RefusedAsync(string path, HttpStatusCode status, string errcode, JsonObject? body = null)
    {
        var (got, answer) = await SendAsync(body is null ? HttpMethod.Get : HttpMethod.Post, path, body);
        Assert.True(got == status, $"{path}: expected {(int)status}, got {(int)got} {answer.ToJsonString()}");
        Assert.Equal(errcode, answer["errcode"]?.GetValue<string>());
    }

    /// <summary>The one PDU of <c>/event</c>, checked to be the event asked for.</summary>
    public async Task<JsonObject> EventAsync(string roomId, string eventId)
    {
        var answer = await OkAsync($"/event/{Escape(eventId)}");
        Assert.Equal(host.Options.ServerName, answer["origin"]!.GetValue<string>());
        var pdu = Assert.Single(answer["pdus"]!.AsArray())!.AsObject();
        Assert.Equal(eventId, await IdOfAsync(roomId, pdu));
        return pdu;
    }

    /// <summary>The event ID of a PDU as served, computed as any receiver computes it (from room version 3 PDUs do not carry it).</summary>
    public async Task<string> IdOfAsync(string roomId, JsonObject pdu)
    {
        var version = await host.Services.GetRequiredService<RoomStore>().VersionOfAsync(roomId, default);
        return Pdu.FromJson((JsonObject)pdu.DeepClone(), version).EventId.ToString();
    }

    public async Task<List<string>> IdsOfAsync(string roomId, JsonNode? pdus)
    {
        var ids = new List<string>();
        foreach (var pdu in pdus!.AsArray())
            ids.Add(await IdOfAsync(roomId, pdu!.AsObject()));
        return ids;
    }

    /// <summary>The body of a message PDU; null once redacted.</summary>
    public static string? Body(JsonObject pdu) => pdu["content"]?["body"]?.GetValue<string>();
}
