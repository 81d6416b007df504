using Homeserver.Bench;
using Homeserver.Bench.Baselines;

if (args.Length >= 2 && args[0] == "baseline-server")
{
    await BaselineServer.RunAsync(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var files = await BenchRunner.RunAsync(options, cancel.Token);
foreach (var f in files)
    Console.WriteLine("wrote " + f);
return 0;
