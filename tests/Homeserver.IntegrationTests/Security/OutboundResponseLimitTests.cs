using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Core.Configuration;
using Homeserver.Core.Outbound;
using Homeserver.IntegrationTests.Push;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 4: remote answers were read without bound. A push gateway answering hundreds of megabytes had
/// them all buffered, again on every retry, and one answering a byte at a time held the request. Answers are now read
/// within a size cap and a time cap, and a gateway that breaks either fails that attempt, which is retried.
/// </summary>
public sealed class OutboundResponseLimitTests
{
    private const long HugeBodyBytes = 400L << 20;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task HugeThenTricklingGateway_FailsEachAttemptEarly_ThenTheRetryIsDelivered()
    {
        var huge = new Answer();
        var trickle = new Answer();
        await using var gateway = new RawHttpGateway((attempt, s) => attempt switch
        {
            1 => HugeAsync(s, huge),
            2 => TrickleAsync(s, trickle),
            _ => RawHttpGateway.WriteJsonAsync(s, """{"rejected":[]}"""),
        });
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.Push = new PushOptions
        {
            AllowedIpRanges = ["127.0.0.1/32"],
            OnlineGrace = new(TimeSpan.Zero),
            RetryInitial = new(TimeSpan.FromMilliseconds(200)),
            RetryMax = new(TimeSpan.FromSeconds(1)),
            RequestTimeout = new(RequestTimeout),
        });
        var alice = hs.ClientFor(await hs.RegisterAsync());
        var bob = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat" });
        await bob.JoinAsync(roomId);
        await (await bob.PostAsJsonAsync("/_matrix/client/v3/pushers/set", PusherApiTests.HttpPusher("bob-key", gateway.Url))).AssertOkAsync();

        var eventId = await alice.SendTextAsync(roomId, "are you listening?");
        Assert.Equal(eventId, EventIdOf(await gateway.NextAsync()));
        await huge.Ended.WaitAsync(TimeSpan.FromSeconds(15));
        // The cap is 1 MiB; what the server took beyond it sits in socket buffers, never hundreds of megabytes.
        Assert.InRange(huge.BytesSent, 1 << 20, 32L << 20);

        Assert.Equal(eventId, EventIdOf(await gateway.NextAsync()));
        await trickle.Ended.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.InRange(trickle.Elapsed, RequestTimeout - TimeSpan.FromMilliseconds(200), RequestTimeout + TimeSpan.FromSeconds(3));

        // The third attempt meets a healthy gateway, and later notifications flow as usual.
        Assert.Equal(eventId, EventIdOf(await gateway.NextAsync()));
        var next = await alice.SendTextAsync(roomId, "good, you are");
        Assert.Equal(next, EventIdOf(await gateway.NextAsync()));
        Assert.Equal(4, gateway.Attempts);
    }

    [Fact]
    public async Task CallerCap_AnswersWithinItAreRead_LongerOnesFailWhetherLengthIsDeclaredOrNot()
    {
        await using var endpoint = await FakePushEndpoint.StartAsync();
        var length = 0;
        var declare = false;
        endpoint.Respond = async ctx =>
        {
            if (declare)
                ctx.Response.ContentLength = length;
            for (var left = length; left > 0; left -= 1000)
                await ctx.Response.Body.WriteAsync(new byte[Math.Min(left, 1000)]);
        };
        using var client = new GuardedHttpClient(new OutboundAddressPolicy(["127.0.0.1/32"]), new PushOptions().RequestTimeout.Value);
        Task<OutboundResponse> Get() => client.SendAsync(new HttpRequestMessage(HttpMethod.Get, endpoint.NotifyUrl), CancellationToken.None, maxResponseBytes: 10_000);

        length = 10_000;
        Assert.Equal(10_000, (await Get()).Body.Length);
        length = 10_001;
        await Assert.ThrowsAsync<OutboundResponseTooLargeException>(Get);
        declare = true;
        await Assert.ThrowsAsync<OutboundResponseTooLargeException>(Get);
        length = 5_000;
        Assert.Equal(5_000, (await Get()).Body.Length);
    }

    private static string? EventIdOf(byte[] body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("notification").GetProperty("event_id").GetString();

    private sealed class Answer
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _bytesSent;
        public long BytesSent => Interlocked.Read(ref _bytesSent);
        public TimeSpan Elapsed { get; private set; }
        public Task Ended => _ended.Task;
        public void Sent(int bytes) => Interlocked.Add(ref _bytesSent, bytes);
        public void End(TimeSpan elapsed)
        {
            Elapsed = elapsed;
            _ended.TrySetResult();
        }
    }

    /// <summary>Hundreds of megabytes of JSON whitespace, made as it is sent, counting what the server took.</summary>
    private static async Task HugeAsync(Stream s, Answer answer)
    {
        var clock = Stopwatch.StartNew();
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        try
        {
            await RawHttpGateway.WriteOpenEndedHeadAsync(s);
            for (long sent = 0; sent < HugeBodyBytes; sent += chunk.Length)
            {
                await s.WriteAsync(chunk);
                answer.Sent(chunk.Length);
            }
        }
        catch (IOException)
        {
        }
        finally
        {
            answer.End(clock.Elapsed);
        }
    }

    /// <summary>One byte every 100 ms, for up to a minute, until the server hangs up.</summary>
    private static async Task TrickleAsync(Stream s, Answer answer)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await RawHttpGateway.WriteOpenEndedHeadAsync(s);
            while (clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                await s.WriteAsync(" "u8.ToArray());
                answer.Sent(1);
                await Task.Delay(100);
            }
        }
        catch (IOException)
        {
        }
        finally
        {
            answer.End(clock.Elapsed);
        }
    }
}
