using System.CommandLine;
using Homeserver.Core.Configuration;
using Homeserver.Core.Media;
using Homeserver.Host.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Host.Cli;

/// <summary>
/// <c>move-media --to s3|filesystem</c>: moves stored media between the filesystem store (<c>media.store_path</c>)
/// and the S3 store (<c>media.s3</c>), whichever <c>media.storage</c> says today. Run it with the server stopped,
/// then switch <c>media.storage</c>; run again after an interruption, it carries on where it stopped.
/// </summary>
internal static class MoveMediaCommand
{
    public static Command Create()
    {
        var config = HomeserverCli.ConfigOption();
        var to = new Option<string>("--to") { Description = "The store to move media into", Required = true };
        to.AcceptOnlyFromAmong(MediaOptions.FilesystemStorage, MediaOptions.S3Storage);
        var cmd = new Command("move-media", "Move stored media between the filesystem and the S3 store (server stopped)") { config, to };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!ConfigFileLoading.TryLoad(parse.GetValue(config)!, out var options))
                return ConfigFileLoading.BadConfigExitCode;
            var s3Problems = HomeserverOptionsValidator.ValidateS3(options.Media.S3);
            if (s3Problems.Count > 0)
            {
                Console.Error.WriteLine($"{parse.GetValue(config)}: {new ConfigException(s3Problems).Message}");
                return ConfigFileLoading.BadConfigExitCode;
            }
            var target = parse.GetValue(to)!;
            var source = target == MediaOptions.S3Storage ? MediaOptions.FilesystemStorage : MediaOptions.S3Storage;
            try
            {
                await using var app = await HomeserverApp.BuildAsync(options, ct: ct);
                var from = MediaContentStores.Create(source, options);
                var into = MediaContentStores.Create(target, options);
                MediaContentMover.Report report;
                try
                {
                    report = await new MediaContentMover(app.Services.GetRequiredService<MediaStore>()).MoveAllAsync(from, into, ct);
                }
                finally
                {
                    (from as IDisposable)?.Dispose();
                    (into as IDisposable)?.Dispose();
                }
                Console.WriteLine($"moved {report.Moved} to {target}, {report.AlreadyThere} already there, {report.Missing.Count} missing, {report.Corrupt.Count} corrupt");
                foreach (var sha in report.Missing)
                    Console.Error.WriteLine($"missing from both stores: {sha}");
                foreach (var sha in report.Corrupt)
                    Console.Error.WriteLine($"does not match its hash in {source}, left there: {sha}");
                return report.Missing.Count + report.Corrupt.Count == 0 ? 0 : 1;
            }
            catch (Exception e) when (StartupFailure.IsOperatorFixable(e) || e is Amazon.Runtime.AmazonServiceException or HttpRequestException)
            {
                return StartupFailure.Report(e);
            }
        });
        return cmd;
    }
}
