using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Report;
using Homeserver.Bench.Targets;
using SkiaSharp;

namespace Homeserver.Bench.Scenarios;

/// <summary>
/// Upload and download of one large file (throughput and the server's peak memory growth, which shows whether
/// it streams) against raw file writes and reads; thumbnails generated per second against SkiaSharp in-process.
/// </summary>
public static class MediaScenario
{
    private const int Chunk = 1 << 20;

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        long size = (long)o.MediaMegabytes * Chunk;
        var (instance, server) = await ctx.StartHomeserverAsync(ct);
        await using var serverProcess = server;
        await using var target = new MatrixTarget(server.BaseAddress, ctx.Connector(16));
        var token = await target.RegisterAsync(ct);
        Console.WriteLine($"media: {o.MediaMegabytes} MB upload and download");

        var before = await server.SettledRssAsync(ctx.Options.SettleInterval, ct);
        server.ResetPeakRss();
        var sw = Stopwatch.StartNew();
        using var upload = MatrixTarget.Authed(HttpMethod.Post, "/_matrix/media/v3/upload?filename=big.bin", token);
        upload.Content = new StreamContent(new PatternStream(size), Chunk);
        upload.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        upload.Content.Headers.ContentLength = size;
        var mxc = (await MatrixTarget.OkJsonAsync(await target.Http.SendAsync(upload, ct), ct)).GetProperty("content_uri").GetString()!;
        var uploadSeconds = sw.Elapsed.TotalSeconds;
        var uploadPeak = server.PeakRssBytes() - before;

        before = await server.SettledRssAsync(ctx.Options.SettleInterval, ct);
        server.ResetPeakRss();
        sw.Restart();
        using var download = MatrixTarget.Authed(HttpMethod.Get, "/_matrix/client/v1/media/download/" + mxc["mxc://".Length..], token);
        using (var res = await target.Http.SendAsync(download, HttpCompletionOption.ResponseHeadersRead, ct))
        {
            res.EnsureSuccessStatusCode();
            await using var body = await res.Content.ReadAsStreamAsync(ct);
            var received = await CountAsync(body, ct);
            if (received != size)
                ctx.Results.Note($"download returned {received} bytes, expected {size}");
        }
        var downloadSeconds = sw.Elapsed.TotalSeconds;
        var downloadPeak = server.PeakRssBytes() - before;

        var (rawWrite, rawRead) = await RawFileAsync(instance.DataDir, size, ct);
        var mb = size / 1e6;
        var constant = $"peak growth <= {o.MediaMegabytes / 4} MiB (a quarter of the file)";
        ctx.Results.Add(new Measurement("media", $"upload {o.MediaMegabytes} MiB", mb / uploadSeconds, "MB/s", mb / rawWrite));
        ctx.Results.Add(new Measurement("media", "upload peak server memory growth", uploadPeak / 1048576.0, "MiB", null, constant, uploadPeak <= size / 4));
        ctx.Results.Add(new Measurement("media", $"download {o.MediaMegabytes} MiB", mb / downloadSeconds, "MB/s", mb / rawRead));
        ctx.Results.Add(new Measurement("media", "download peak server memory growth", downloadPeak / 1048576.0, "MiB", null, constant, downloadPeak <= size / 4));

        await ThumbnailsAsync(ctx, target, token, ct);
    }

    private static async Task ThumbnailsAsync(BenchContext ctx, MatrixTarget target, string token, CancellationToken ct)
    {
        var images = Enumerable.Range(0, ctx.Options.ThumbnailImages).Select(Photo).ToList();
        var ids = new List<string>();
        foreach (var image in images)
        {
            using var req = MatrixTarget.Authed(HttpMethod.Post, "/_matrix/media/v3/upload?filename=photo.jpg", token);
            req.Content = new ByteArrayContent(image);
            req.Content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            ids.Add((await MatrixTarget.OkJsonAsync(await target.Http.SendAsync(req, ct), ct)).GetProperty("content_uri").GetString()!["mxc://".Length..]);
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct };
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(ids, parallel, async (id, ct) =>
        {
            using var req = MatrixTarget.Authed(HttpMethod.Get, $"/_matrix/client/v1/media/thumbnail/{id}?width=320&height=240&method=scale", token);
            using var res = await target.Http.SendAsync(req, ct);
            res.EnsureSuccessStatusCode();
            await res.Content.ReadAsByteArrayAsync(ct);
        });
        var served = ids.Count / sw.Elapsed.TotalSeconds;
        sw.Restart();
        Parallel.ForEach(images, parallel, image =>
        {
            using var bitmap = SKBitmap.Decode(image);
            var scale = Math.Min(320.0 / bitmap.Width, 240.0 / bitmap.Height);
            using var small = bitmap.Resize(new SKImageInfo((int)(bitmap.Width * scale), (int)(bitmap.Height * scale)), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            using var encoded = small.Encode(SKEncodedImageFormat.Jpeg, 80);
        });
        var raw = images.Count / sw.Elapsed.TotalSeconds;
        ctx.Results.Add(new Measurement("media", "thumbnails generated (1600x1200 JPEG to 320x240)", served, "per s", raw));
    }

    /// <summary>A 1600x1200 JPEG that differs per index, so no two thumbnails are the same work.</summary>
    private static byte[] Photo(int index)
    {
        var random = new Random(index);
        using var bitmap = new SKBitmap(1600, 1200);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor((uint)random.Next() | 0xFF000000));
            using var paint = new SKPaint();
            for (var i = 0; i < 200; i++)
            {
                paint.Color = new SKColor((uint)random.Next() | 0xFF000000);
                canvas.DrawCircle(random.Next(1600), random.Next(1200), random.Next(10, 200), paint);
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    private static async Task<(double WriteSeconds, double ReadSeconds)> RawFileAsync(string dir, long size, CancellationToken ct)
    {
        var path = Path.Combine(dir, "raw-baseline.bin");
        var sw = Stopwatch.StartNew();
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, Chunk, useAsync: true))
        {
            await new PatternStream(size).CopyToAsync(file, Chunk, ct);
            file.Flush(flushToDisk: true);
        }
        var write = sw.Elapsed.TotalSeconds;
        sw.Restart();
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, Chunk, useAsync: true))
            await CountAsync(file, ct);
        var read = sw.Elapsed.TotalSeconds;
        File.Delete(path);
        return (write, read);
    }

    private static async Task<long> CountAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[Chunk];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, ct)) > 0)
            total += n;
        return total;
    }

    /// <summary>A stream of the given length that is generated as it is read, so the generator holds no copy of the file.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            for (var i = 0; i < n; i++)
                buffer[i] = (byte)((_position + i) * 2654435761L >> 13);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => ValueTask.FromResult(Read(buffer.Span));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
