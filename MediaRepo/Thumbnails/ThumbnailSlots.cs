using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;

namespace MediaRepo.Thumbnails;

/// <summary>
/// Admission to thumbnailing: <see cref="MediaOptions.MaxConcurrentThumbnails"/> at work, at most
/// <see cref="MediaOptions.MaxQueuedThumbnails"/> waiting, each for at most one thumbnail timeout. Beyond that a
/// request is answered 429 at once: decoding large images costs memory and a thread each, and a queue without
/// bound made a burst of them wait half a minute while the memory of every decode in turn piled up.
/// </summary>
public sealed class ThumbnailSlots
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _working;
    private readonly int _admissible;
    private readonly TimeSpan _maxWait;
    private int _admitted;

    public ThumbnailSlots(MediaOptions options)
    {
        var concurrent = options.MaxConcurrentThumbnails > 0 ? options.MaxConcurrentThumbnails : Environment.ProcessorCount;
        _working = new SemaphoreSlim(concurrent, concurrent);
        _admissible = concurrent + options.MaxQueuedThumbnails;
        _maxWait = options.ThumbnailTimeout.Value;
    }

    /// <summary>A slot to make one thumbnail in, held until disposed.</summary>
    /// <exception cref="RateLimitedException">Every slot is taken and the queue is full, or no slot came free in time.</exception>
    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        if (Interlocked.Increment(ref _admitted) > _admissible)
        {
            Interlocked.Decrement(ref _admitted);
            throw Busy();
        }
        var entered = false;
        try
        {
            entered = await _working.WaitAsync(_maxWait, ct);
        }
        finally
        {
            if (!entered)
                Interlocked.Decrement(ref _admitted);
        }
        return entered ? new Slot(this) : throw Busy();
    }

    private static RateLimitedException Busy() => new((long)RetryAfter.TotalMilliseconds, "media.max_queued_thumbnails");

    private sealed class Slot(ThumbnailSlots owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
                return;
            owner._working.Release();
            Interlocked.Decrement(ref owner._admitted);
        }
    }
}
