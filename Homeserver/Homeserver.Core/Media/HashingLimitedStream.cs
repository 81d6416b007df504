using System.Security.Cryptography;

namespace Homeserver.Core.Media;

/// <summary>
/// Copies an upload to its destination while hashing and counting it, and stops the moment the count passes
/// the limit, so an oversized upload is refused without ever being held whole.
/// </summary>
public static class HashingLimitedStream
{
    public static async Task<(string Sha256, long Length)> CopyAsync(Stream source, Stream destination, long limit, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                total += read;
                if (total > limit)
                    throw new MediaTooLargeException(limit);
                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            return (Convert.ToHexStringLower(hash.GetHashAndReset()), total);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
