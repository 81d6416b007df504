using System.Diagnostics;
using System.Net.Http.Json;
using Homeserver.Core.Configuration;
using Homeserver.Core.Observability;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Xunit;

namespace Homeserver.IntegrationTests.Observability;

/// <summary>
/// Tracing: a request's incoming <c>traceparent</c> is the parent of its spans through the event pipeline and to the
/// database, and outbound federation carries the trace context only to destinations the config trusts. The spans are
/// read from OpenTelemetry's in-memory exporter added beside the OTLP one (whose collector is a closed port).
/// </summary>
public sealed class TracingTests
{
    private static void EnableTracing(HomeserverOptions o, params string[] trusted) => o.Tracing = new TracingOptions
    {
        Enabled = true,
        OtlpEndpoint = $"http://127.0.0.1:{TestPorts.Free()}",
        TrustedDestinations = [.. trusted],
    };

    private static Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> Recording(RecordedActivities activities) =>
        b => b.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(activities));

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task IncomingTraceparent_IsTheParentOfTheEventPipelineAndDatabaseSpans(string engine)
    {
        var activities = new RecordedActivities();
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        EnableTracing(options);
        await using var hs = await TestHomeserver.StartAsync(options, Recording(activities));
        var (_, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();

        var traceId = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        using var send = new HttpRequestMessage(HttpMethod.Put, $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/traced")
        {
            Content = JsonContent.Create(new { msgtype = "m.text", body = "traced" }),
        };
        send.Headers.Add("traceparent", $"00-{traceId}-{parent}-01");
        await (await a.SendAsync(send)).AssertOkAsync();

        var request = await activities.WaitForAsync(x => x.TraceId == traceId && x.Kind == ActivityKind.Server, "the request");
        Assert.Equal(parent, request.ParentSpanId);
        var ingest = await activities.WaitForAsync(x => x.TraceId == traceId && x.Source.Name == HomeserverTelemetry.Name && x.DisplayName == "event ingest", "the ingest");
        Assert.Equal("m.room.message", ingest.GetTagItem("matrix.event.type"));
        Assert.Equal("local", ingest.GetTagItem("matrix.event.origin"));
        var persist = await activities.WaitForAsync(x => x.TraceId == traceId && x.DisplayName == "event persist", "the persisting");
        Assert.Equal(ingest.SpanId, persist.ParentSpanId);
        var write = await activities.WaitForAsync(x => x.TraceId == traceId && x.DisplayName == "db write" && x.ParentSpanId == persist.SpanId, "the write");
        if (engine == "postgres")
            await activities.WaitForAsync(x => x.TraceId == traceId && x.Source.Name == "Npgsql", "a PostgreSQL command");
        Assert.NotEqual(default, write.SpanId);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OutboundFederation_CarriesTheTraceContext_OnlyToATrustedServer(bool trusted)
    {
        var activities = new RecordedActivities();
        using var ca = TestCertificateAuthority.Create();
        await using var remote = await FederationTestServers.StartAsync("sqlite", ca);
        await using var hs = await FederationTestServers.StartAsync("sqlite", ca,
            o => EnableTracing(o, trusted ? [remote.Options.ServerName] : []), Recording(activities));
        var (_, a) = await hs.RegisterClientAsync();

        var traceId = ActivityTraceId.CreateRandom();
        var alias = Uri.EscapeDataString($"#nowhere{Guid.NewGuid():N}:{remote.Options.ServerName}");
        using var lookup = new HttpRequestMessage(HttpMethod.Get, $"/_matrix/client/v3/directory/room/{alias}");
        lookup.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        await a.SendAsync(lookup);

        // Our side asked the remote within the client's trace...
        await activities.WaitForAsync(x => x.TraceId == traceId && x.Kind == ActivityKind.Client
            && x.GetTagItem("url.full") is string url && url.Contains("/_matrix/federation/v1/query/directory", StringComparison.Ordinal), "the outbound request");
        // ...and the remote's span of that request joined the trace only when trusted; otherwise it began a trace of its own.
        var remotePort = remote.Options.ServerName.Split(':')[1];
        var received = await activities.WaitForAsync(x => x.Kind == ActivityKind.Server
            && x.GetTagItem("url.path") is "/_matrix/federation/v1/query/directory"
            && x.GetTagItem("server.port")?.ToString() == remotePort, "the remote's request");
        if (trusted)
            Assert.Equal(traceId, received.TraceId);
        else
        {
            Assert.NotEqual(traceId, received.TraceId);
            Assert.Equal(default, received.ParentSpanId);
        }
    }
}
