using System.Globalization;

namespace Homeserver.Bench;

/// <summary>What to run and how big; the defaults are the reference sizes, <c>--tiny</c> the smoke-test sizes.</summary>
public sealed record BenchOptions
{
    public static readonly string[] AllScenarios = ["latency", "throughput", "memory", "initial-sync", "cold-start", "media", "storage", "federation", "cluster"];

    public IReadOnlyList<string> Scenarios { get; init; } = AllScenarios;
    public int Receivers { get; init; } = 1000;
    /// <summary>Which room shapes and receiver kinds the latency scenario runs; all by default, fewer while profiling.</summary>
    public IReadOnlyList<string> LatencyShapes { get; init; } = ["1:1", "fan-out"];
    public IReadOnlyList<string> LatencyMixes { get; init; } = ["long-poll", "websocket", "half"];
    public int FanoutRoomSize { get; init; } = 100;
    /// <summary>Messages per second sent into 1:1 rooms (each has one receiver).</summary>
    public double DirectSendRate { get; init; } = 100;
    /// <summary>Messages per second sent into the fan-out rooms (each reaches every member).</summary>
    public double FanoutSendRate { get; init; } = 5;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(15);
    public int ThroughputRooms { get; init; } = 100;
    public double ThroughputStartRate { get; init; } = 50;
    public double ThroughputStepFactor { get; init; } = 1.25;
    public int ThroughputMaxSteps { get; init; } = 30;
    public TimeSpan ThroughputStep { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>1:1 rooms of the federation scenario, each with its receiver on the other server.</summary>
    public int FederationRooms { get; init; } = 20;
    /// <summary>1:1 rooms of the cluster scenario, spread over its nodes.</summary>
    public int ClusterRooms { get; init; } = 20;
    public IReadOnlyList<int> ConnectionCounts { get; init; } = [1000, 5000, 10000];
    public int InitialSyncRooms { get; init; } = 500;
    public int InitialSyncMessagesPerRoom { get; init; } = 50;
    public int InitialSyncRepeats { get; init; } = 10;
    public int ColdStartRepeats { get; init; } = 3;
    public int MediaMegabytes { get; init; } = 100;
    public int ThumbnailImages { get; init; } = 40;
    public TimeSpan StorageBaselineDuration { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Interval of the RSS samples that must agree before a memory figure is taken.</summary>
    public TimeSpan SettleInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Above this many client connections, clients spread over several 127.0.0.x source addresses.</summary>
    public int SourceAddressThreshold { get; init; } = 20000;
    public bool Postgres { get; init; }
    public string? ServerDll { get; init; }
    public string OutputDir { get; init; } = Path.Combine("bench", "results");

    public static BenchOptions Tiny => new()
    {
        Receivers = 4,
        FanoutRoomSize = 3,
        DirectSendRate = 20,
        FanoutSendRate = 5,
        Duration = TimeSpan.FromMilliseconds(600),
        Warmup = TimeSpan.FromMilliseconds(200),
        DrainTimeout = TimeSpan.FromSeconds(10),
        ThroughputRooms = 2,
        ThroughputStartRate = 10,
        ThroughputStepFactor = 2,
        ThroughputMaxSteps = 2,
        ThroughputStep = TimeSpan.FromMilliseconds(500),
        FederationRooms = 2,
        ClusterRooms = 2,
        ConnectionCounts = [4],
        InitialSyncRooms = 3,
        InitialSyncMessagesPerRoom = 3,
        InitialSyncRepeats = 2,
        ColdStartRepeats = 1,
        MediaMegabytes = 1,
        ThumbnailImages = 2,
        StorageBaselineDuration = TimeSpan.FromMilliseconds(300),
        SettleInterval = TimeSpan.FromMilliseconds(100),
    };

    public const string Usage = """
        usage: dotnet run -c Release --project bench -- [all|latency|throughput|memory|initial-sync|cold-start|media|storage|federation|cluster ...] [options]
          --tiny                   smoke-test sizes (a few clients, seconds)
          --receivers N            receivers in the latency scenario (default 1000)
          --fanout-room-size N     members of each fan-out room (default 100)
          --rate N                 messages/s into 1:1 rooms (default 100)
          --fanout-rate N          messages/s into fan-out rooms (default 5)
          --duration S             seconds of sending per latency run (default 20)
          --shapes A,B             latency room shapes: 1:1, fan-out (default both)
          --mixes A,B              latency receivers: long-poll, websocket, half (default all three)
          --federation-rooms N     1:1 rooms across two servers in the federation scenario (default 20)
          --cluster-rooms N        1:1 rooms over three nodes in the cluster scenario (default 20)
          --connections A,B,C      idle connection counts for the memory scenario (default 1000,5000,10000)
          --rooms N                rooms of the initial-sync account (default 500)
          --media-mb N             size of the media file (default 100)
          --postgres               run the server on a throwaway PostgreSQL (HOMESERVER_BENCH_POSTGRES, or tests/postgres.sh)
          --server-dll PATH        use this Homeserver.Host.dll instead of building it in Release
          --out DIR                where the JSON, markdown and PNG go (default bench/results)
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = args.Contains("--tiny") ? Tiny : new BenchOptions();
        var scenarios = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{a} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double NextDouble() => double.Parse(Next(), CultureInfo.InvariantCulture);
            o = a switch
            {
                "--tiny" => o,
                "--receivers" => o with { Receivers = NextInt() },
                "--fanout-room-size" => o with { FanoutRoomSize = NextInt() },
                "--rate" => o with { DirectSendRate = NextDouble() },
                "--fanout-rate" => o with { FanoutSendRate = NextDouble() },
                "--duration" => o with { Duration = TimeSpan.FromSeconds(NextDouble()) },
                "--shapes" => o with { LatencyShapes = Next().Split(',') },
                "--mixes" => o with { LatencyMixes = Next().Split(',') },
                "--federation-rooms" => o with { FederationRooms = NextInt() },
                "--cluster-rooms" => o with { ClusterRooms = NextInt() },
                "--connections" => o with { ConnectionCounts = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() },
                "--rooms" => o with { InitialSyncRooms = NextInt() },
                "--media-mb" => o with { MediaMegabytes = NextInt() },
                "--postgres" => o with { Postgres = true },
                "--server-dll" => o with { ServerDll = Next() },
                "--out" => o with { OutputDir = Next() },
                "all" => o,
                _ when AllScenarios.Contains(a) => AddScenario(o, scenarios, a),
                _ => throw new ArgumentException($"unknown argument {a}"),
            };
        }
        return scenarios.Count > 0 ? o with { Scenarios = scenarios } : o;
    }

    private static BenchOptions AddScenario(BenchOptions o, List<string> scenarios, string name)
    {
        scenarios.Add(name);
        return o;
    }

    public bool Runs(string scenario) => Scenarios.Contains(scenario);
}
