using System.Net;
using System.Text;
using System.Text.Json;
using Homeserver.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 18 (part): a bounded, deterministic fuzz pass over every endpoint of the route table
/// (<see cref="EndpointDataSource"/>, so endpoints added later are covered without listing them). Each gets
/// malformed and hostile bodies, hostile query parameters (inline filters among them) and hostile path
/// parameters, with and without an access token. No answer may be
/// a 5xx or take longer than the per-request timeout, every error must be Matrix-shaped, and the server must
/// still answer afterwards. The PostgreSQL-sensitive subset (U+0000 and over-long text into writes) runs on both
/// engines.
/// </summary>
public sealed class EndpointFuzzTests
{
    private static readonly TimeSpan PerRequest = TimeSpan.FromSeconds(15);
    private static readonly string Huge = new('x', 100_000);

    /// <summary>Field names the API reads, given hostile values in object bodies.</summary>
    private static readonly string[] Fields =
    [
        "type", "user", "identifier", "password", "device_id", "initial_device_display_name", "refresh_token", "username", "auth",
        "session", "body", "msgtype", "content", "displayname", "avatar_url", "display_name", "name", "topic", "invite",
        "initial_state", "room_alias_name", "room_version", "creation_content", "power_level_content_override", "preset",
        "visibility", "user_id", "reason", "thread_id", "event_id", "presence", "status_msg", "app_id", "pushkey", "kind",
        "app_display_name", "device_display_name", "lang", "data", "append", "room_id", "filter", "limit", "since", "server",
        "search_term", "one_time_keys", "device_keys", "fallback_keys", "messages", "devices", "tags", "order", "new_version",
        "m.fully_read", "m.read", "timeout", "score", "new_password", "logout_devices", "actions", "conditions", "pattern",
        "enabled", "medium", "address", "via", "is_direct", "algorithm", "rooms", "account_data", "event_fields",
    ];

    private static readonly object?[] HostileValues =
    [
        "a\0b", Huge, "\ud800", -1, long.MinValue, 1e300, 0.5, true, null, new object?[] { 1, "x", null }, new { a = new { b = 1 } },
        "", "@:", "!", "$", "#", "mxc://", "../../etc/passwd",
    ];

    [Fact]
    public async Task EveryEndpoint_SurvivesHostileInput_OnSqlite()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite");
        await FuzzAsync(hs, full: true);
    }

    [Fact]
    public async Task WriteEndpoints_SurviveNulAndOverlongText_OnPostgres()
    {
        await using var hs = await TestHomeserver.StartAsync("postgres");
        await FuzzAsync(hs, full: false);
    }

    private static async Task FuzzAsync(TestHomeserver hs, bool full)
    {
        var random = new Random(1313);
        var endpoints = hs.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Endpoint: e, Method: m)))
            .Where(x => x.Method != "OPTIONS")
            .OrderBy(x => x.Endpoint.RoutePattern.RawText, StringComparer.Ordinal).ThenBy(x => x.Method, StringComparer.Ordinal)
            .ToList();
        Assert.True(endpoints.Count > 50, $"only {endpoints.Count} endpoints found");
        var failures = new List<string>();
        var (owner, ownerClient) = await hs.RegisterClientAsync();
        var roomId = (await (await ownerClient.PostAsync("/_matrix/client/v3/createRoom", Json("{}"))).AssertOkAsync()).GetProperty("room_id").GetString()!;
        var context = new Dictionary<string, string>
        {
            ["roomId"] = roomId, ["roomIdOrAlias"] = roomId, ["userId"] = owner.UserId, ["deviceId"] = owner.DeviceId,
            ["serverName"] = TestHomeserver.ServerName, ["version"] = "v3",
        };

        foreach (var (endpoint, method) in endpoints)
        {
            // A fresh account per endpoint: fuzzing /logout or /account/deactivate must not blind the rest.
            using var authed = hs.ClientFor(await hs.RegisterAsync());
            authed.Timeout = PerRequest;
            using var anonymous = hs.NewClient();
            anonymous.Timeout = PerRequest;
            var pattern = endpoint.RoutePattern;
            var writes = method is "POST" or "PUT";

            foreach (var client in new[] { authed, anonymous })
            {
                foreach (var query in Queries(random, full))
                    await SendAsync(client, method, Path(pattern, context, null, null) + query, writes ? "{}" : null, failures);
                if (writes)
                    foreach (var body in Bodies(random, full))
                        await SendAsync(client, method, Path(pattern, context, null, null), body, failures);
                foreach (var parameter in pattern.Parameters)
                    foreach (var hostile in PathValues(full))
                        await SendAsync(client, method, Path(pattern, context, parameter.Name, hostile),
                            writes ? "{}" : null, failures);
            }
        }

        // Kestrel refuses these itself before the application sees them: a 4xx is all that can be asked.
        foreach (var raw in new[] { "/_matrix/client/v3/rooms/%00/state", "/_matrix/client/v3/profile/" + new string('a', 100_000) })
        {
            using var res = await hs.Client.GetAsync(raw);
            if ((int)res.StatusCode is < 400 or >= 500)
                failures.Add($"GET {Trim(raw)} -> {(int)res.StatusCode}");
        }

        await (await hs.Client.GetAsync("/_matrix/client/versions")).AssertOkAsync();
        await (await ownerClient.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        Assert.True(failures.Count == 0, $"{failures.Count} bad answers:\n" + string.Join("\n", failures.Take(60)));
    }

    /// <summary>Query parameters the API reads, given hostile values: an inline filter is JSON from outside the body.</summary>
    private static readonly string[] QueryNames =
    [
        "filter", "limit", "from", "to", "dir", "since", "timeout", "full_state", "set_presence", "at", "membership",
        "not_membership", "include", "recurse", "server", "width", "height", "method", "animated", "ts", "allow_remote",
        "timeout_ms", "via", "server_name", "format", "event_id", "version", "room_id",
    ];

    private static readonly string[] HostileQueryValues =
    [
        "{\"\\ud800\":1}", "{\"room\":{\"rooms\":[\"\\udc00\"]}}", "{\"room\":{\"timeline\":{\"limit\":1e400}}}", "{not json",
        new string('[', 300), "99999999999999999999", "-1", "-9223372036854775808", "1e308", "NaN", "a\0b",
        new string('q', 500), "", "s0_0_0", "t-1", "!", "@:", "$",
    ];

    private static IEnumerable<string> Queries(Random random, bool full)
    {
        if (!full)
            yield break;
        // A few names at a time, so the request line stays under Kestrel's 8 KB and reaches the endpoint.
        for (var i = 0; i < 4; i++)
            yield return "?" + string.Join("&", QueryNames.OrderBy(_ => random.Next()).Take(8).Select(n =>
                n + "=" + Uri.EscapeDataString(HostileQueryValues[random.Next(HostileQueryValues.Length)])));
    }

    private static IEnumerable<string> PathValues(bool full)
    {
        yield return new string('p', 4000);
        yield return "x%01y";
        if (!full)
            yield break;
        yield return "%2F";
        yield return "a%2Fb%2F..%2F..";
        yield return "%FF%FE";
        yield return "%C0%80";
        yield return "%F0%9F%98";
    }

    private static IEnumerable<string> Bodies(Random random, bool full)
    {
        // The PostgreSQL-sensitive shapes: every known field as U+0000 text, and as over-long text.
        yield return JsonSerializer.Serialize(Fields.ToDictionary(f => f, _ => "nul\0here"));
        yield return JsonSerializer.Serialize(Fields.ToDictionary(f => f, _ => new string('L', 20_000)));
        if (!full)
            yield break;
        yield return "{not json";
        yield return "{\"type\":\"m.login.password\",\"identifier\":{\"type\":";
        yield return "";
        yield return "[]";
        yield return "\"string\"";
        yield return "12345678901234567890123456789012345678901234567890";
        yield return "{\"\\ud800\":1}";
        yield return "{\"body\":\"\\udfff\"}";
        yield return new string('[', 10_000) + new string(']', 10_000);
        yield return "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 9_999)) + "1" + new string('}', 10_000);
        yield return "{\"limit\":1e400,\"timeout\":-9223372036854775809,\"score\":-1e308}";
        for (var i = 0; i < 6; i++)
        {
            var fields = Fields.OrderBy(_ => random.Next()).Take(8);
            yield return JsonSerializer.Serialize(fields.ToDictionary(f => f, _ => HostileValues[random.Next(HostileValues.Length)]));
        }
    }

    private static string Path(RoutePattern pattern, Dictionary<string, string> context, string? hostileName, string? hostileValue)
    {
        var sb = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            sb.Append('/');
            foreach (var part in segment.Parts)
                sb.Append(part switch
                {
                    RoutePatternLiteralPart l => l.Content,
                    RoutePatternSeparatorPart s => s.Content,
                    RoutePatternParameterPart p when p.Name == hostileName => hostileValue,
                    RoutePatternParameterPart p => Uri.EscapeDataString(context.GetValueOrDefault(p.Name, "fuzz" + p.Name)),
                    _ => "",
                });
        }
        return sb.ToString();
    }

    private static async Task SendAsync(HttpClient client, string method, string path, string? body, List<string> failures)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        string what = $"{method} {Trim(path)} body {Trim(body ?? "-")}";
        try
        {
            using var res = await client.SendAsync(request);
            var text = await res.Content.ReadAsStringAsync();
            var status = (int)res.StatusCode;
            if (status >= 500)
                failures.Add($"{what} -> {status} {Trim(text)}");
            else if (status >= 400 && !IsMatrixError(text) && !(status == 401 && IsAuthChallenge(text)))
                failures.Add($"{what} -> {status} not a Matrix error: {Trim(text)}");
        }
        catch (TaskCanceledException)
        {
            failures.Add($"{what} -> no answer within {PerRequest.TotalSeconds}s");
        }
    }

    private static bool IsMatrixError(string text) => Matches(text, root =>
        root.TryGetProperty("errcode", out var code) && code.ValueKind == JsonValueKind.String
        && code.GetString()!.StartsWith("M_", StringComparison.Ordinal));

    /// <summary>User-interactive auth's 401 is shaped by the spec as its flows and session, not an errcode.</summary>
    private static bool IsAuthChallenge(string text) => Matches(text, root =>
        root.TryGetProperty("flows", out var flows) && flows.ValueKind == JsonValueKind.Array && root.TryGetProperty("session", out _));

    private static bool Matches(string text, Func<JsonElement, bool> shape)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object && shape(doc.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static string Trim(string s) => s.Length > 120 ? s[..120] + $"...({s.Length})" : s;
}
