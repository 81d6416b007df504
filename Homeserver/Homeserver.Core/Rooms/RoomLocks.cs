using System.Collections.Concurrent;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms;

/// <summary>
/// One writer per room at a time within this process: building an event reads the room's extremities and
/// state, and a concurrent writer would fork the DAG. Other rooms proceed in parallel.
/// </summary>
public sealed class RoomLocks
{
    private readonly ConcurrentDictionary<RoomId, SemaphoreSlim> _locks = new();

    public async Task<IDisposable> AcquireAsync(RoomId roomId, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(roomId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        return new Releaser(gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                gate.Release();
        }
    }
}
