using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.IntegrationTests.E2ee;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// To-device messages to a device of another server of ours: through the sender's durable queue while the receiver
/// refuses transactions (as a server that is down), arriving once when it takes them again; the same message ID
/// received twice is delivered once.
/// </summary>
public sealed class FederatedToDeviceTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AMessageToARemoteDevice_WhileItsServerRefuses_ArrivesOnceItAccepts(string engine)
    {
        var outage = new RefuseTransactions { Refusing = true };
        await using var a = await FederationTestServers.StartAsync(engine, _ca, o =>
        {
            o.Federation.DestinationMinRetryInterval = new Duration(TimeSpan.FromMilliseconds(200));
            o.Federation.DestinationMaxRetryInterval = new Duration(TimeSpan.FromSeconds(1));
        });
        await using var b = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: builder => builder.Services.AddSingleton<IStartupFilter>(outage));
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var since = (await bobClient.SyncAsync()).NextBatch();

        await (await aliceClient.SendToDeviceAsync("m.room_key_request", "t1", new Dictionary<string, object>
        {
            [bob.UserId] = new Dictionary<string, object> { [bob.DeviceId] = new { body = "across servers" } },
        })).AssertOkAsync();
        await WaitUntilAsync(() => outage.Refused > 1, "A to retry the refused transaction");
        Assert.Empty((await bobClient.SyncAsync(since)).ToDeviceEvents());

        outage.Refusing = false;
        var received = new List<JsonElement>();
        var deadline = DateTime.UtcNow + Patience;
        while (received.Count == 0)
        {
            var sync = await bobClient.SyncAsync(since, timeout: 1000);
            since = sync.NextBatch();
            received.AddRange(sync.ToDeviceEvents());
            Assert.True(DateTime.UtcNow < deadline, "the message did not reach bob's sync");
        }
        var message = Assert.Single(received);
        Assert.Equal(alice.UserId, message.GetProperty("sender").GetString());
        Assert.Equal("m.room_key_request", message.GetProperty("type").GetString());
        Assert.Equal("across servers", message.GetProperty("content").GetProperty("body").GetString());
        Assert.Empty((await bobClient.SyncAsync(since, timeout: 1000)).ToDeviceEvents());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheSameMessageId_InTwoTransactions_IsDeliveredOnce_AndAForgedSenderNever(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (bob, bobClient) = await b.RegisterClientAsync();
        var since = (await bobClient.SyncAsync()).NextBatch();
        var fromA = new RemotePduFactory(b, a);
        JsonObject Edu(string sender, string messageId, string body) => new()
        {
            ["edu_type"] = "m.direct_to_device",
            ["content"] = new JsonObject
            {
                ["sender"] = sender,
                ["type"] = "org.example.test",
                ["message_id"] = messageId,
                ["messages"] = new JsonObject { [bob.UserId] = new JsonObject { ["*"] = new JsonObject { ["body"] = body } } },
            },
        };
        foreach (var (txn, edu) in new[]
        {
            ("t1", Edu(fromA.User("alice").ToString(), "m1", "once")),
            ("t2", Edu(fromA.User("alice").ToString(), "m1", "once")),
            ("t3", Edu($"@mallory:{b.Options.ServerName}", "m2", "forged")),
        })
        {
            var body = fromA.Transaction([]);
            body["edus"] = new JsonArray(edu);
            Assert.True((await fromA.PutAsync(txn, body)).IsSuccessStatusCode);
        }
        var messages = (await bobClient.SyncAsync(since)).ToDeviceEvents();
        var message = Assert.Single(messages);
        Assert.Equal("once", message.GetProperty("content").GetProperty("body").GetString());
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Answers 503 to every transaction while <see cref="Refusing"/>, as a server that is down, counting them.</summary>
    private sealed class RefuseTransactions : IStartupFilter
    {
        private int _refused;

        public volatile bool Refusing;

        public int Refused => Volatile.Read(ref _refused);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, nextMiddleware) =>
            {
                if (Refusing && ctx.Request.Path.StartsWithSegments("/_matrix/federation/v1/send"))
                {
                    Interlocked.Increment(ref _refused);
                    ctx.Response.StatusCode = 503;
                    return;
                }
                await nextMiddleware(ctx);
            });
            next(app);
        };
    }

    public void Dispose() => _ca.Dispose();
}
