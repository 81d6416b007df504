using System.Net;
using System.Security.Cryptography;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Media;

/// <summary>
/// Large files pass through without being held whole: the process's allocations while a 64 MiB file goes up
/// and comes back down stay far below the file size (client and server share this process, so this bounds both).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class MediaStreamingTests
{
    private const long FileSize = 64L << 20;

    [Fact]
    public async Task LargeUploadAndDownload_DoNotBufferTheFile()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.Media.MaxUploadSize = new(FileSize));
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var expectedHash = PatternStream.Sha256(FileSize);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var content = new StreamContent(new PatternStream(FileSize), 64 * 1024);
        content.Headers.ContentType = new("video/mp4");
        content.Headers.ContentLength = FileSize;
        var mxc = (await (await c.PostAsync("/_matrix/media/v3/upload", content)).AssertOkAsync()).GetProperty("content_uri").GetString()!;
        var uploadAllocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        before = GC.GetTotalAllocatedBytes(precise: true);
        using var res = await c.GetAsync(MediaUploadTests.DownloadPath(mxc), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal(FileSize, res.Content.Headers.ContentLength);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var body = await res.Content.ReadAsStreamAsync())
        {
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0)
                sha.AppendData(buffer, 0, n);
        }
        var downloadAllocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(expectedHash, Convert.ToHexStringLower(sha.GetHashAndReset()));
        Assert.True(uploadAllocated < FileSize / 4, $"upload allocated {uploadAllocated:N0} bytes for a {FileSize:N0}-byte file");
        Assert.True(downloadAllocated < FileSize / 4, $"download allocated {downloadAllocated:N0} bytes for a {FileSize:N0}-byte file");
    }

    /// <summary>A deterministic byte stream of a given length that never holds more than one read's worth.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public static string Sha256(long length)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var s = new PatternStream(length);
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
                hash.AppendData(buffer, 0, n);
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
                buffer[offset + i] = (byte)((_position + i) * 31 % 251);
            _position += n;
            return n;
        }

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
