using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Homeserver.Host.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Observability;

/// <summary><c>logging.format: json</c>: the server process writes one JSON object per line, with the entry's properties and its request's trace.</summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task JsonFormat_EveryLineIsAJsonObject_WithTheEntrysPropertiesAndItsTraceId()
    {
        var port = TestPorts.Free();
        var dir = Directory.CreateTempSubdirectory("hs-jsonlog-").FullName;
        var config = Path.Combine(dir, "homeserver.yaml");
        await File.WriteAllTextAsync(config, ConfigTemplate.Render("jsonlog.test", port, Path.Combine(dir, "data"), "sqlite", null));
        var lines = new ConcurrentQueue<string>();
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        var env = new Dictionary<string, string> { ["HOMESERVER__LOGGING__FORMAT"] = "json", ["HOMESERVER__LOG_LEVEL"] = "information" };
        using var server = await TestServerProcess.StartAsync(config, baseUrl, env, lines.Enqueue);
        try
        {
            var traceId = ActivityTraceId.CreateRandom();
            using (var client = new HttpClient { BaseAddress = baseUrl })
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/health"))
            {
                request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
                (await client.SendAsync(request)).EnsureSuccessStatusCode();
            }
            JsonElement requestLine = default;
            for (var i = 0; i < 100 && requestLine.ValueKind == JsonValueKind.Undefined; i++)
            {
                requestLine = lines.Select(l => JsonDocument.Parse(l).RootElement)
                    .FirstOrDefault(e => e.GetProperty("State").TryGetProperty("Path", out var p) && p.GetString() == "/health");
                if (requestLine.ValueKind == JsonValueKind.Undefined)
                    await Task.Delay(100);
            }
            Assert.NotEqual(JsonValueKind.Undefined, requestLine.ValueKind);

            Assert.NotEmpty(lines);
            foreach (var line in lines)
            {
                var entry = JsonDocument.Parse(line).RootElement;
                Assert.Equal(JsonValueKind.Object, entry.ValueKind);
                foreach (var field in new[] { "Timestamp", "LogLevel", "Category", "Message" })
                    Assert.Equal(JsonValueKind.String, entry.GetProperty(field).ValueKind);
                Assert.True(DateTimeOffset.TryParse(entry.GetProperty("Timestamp").GetString(), out _), line);
            }
            Assert.Contains(lines, l => l.Contains("\"Category\":\"Homeserver.Core.Storage.Migrator\"", StringComparison.Ordinal));
            Assert.Equal("Information", requestLine.GetProperty("LogLevel").GetString());
            Assert.Equal(200, requestLine.GetProperty("State").GetProperty("Status").GetInt32());
            Assert.Equal("GET", requestLine.GetProperty("State").GetProperty("Method").GetString());
            Assert.Contains(requestLine.GetProperty("Scopes").EnumerateArray(),
                s => s.TryGetProperty("TraceId", out var t) && t.GetString() == traceId.ToString());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }
}
