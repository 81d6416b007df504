namespace Homeserver.Core.Federation.Keys;

/// <summary>The fetches one notary query may still start, and the time it waits for them.</summary>
internal sealed class FetchAllowance(int count, CancellationToken budget)
{
    private int _left = count;

    public CancellationToken Budget { get; } = budget;

    /// <summary>Takes one fetch: false once they are used up or the time is out.</summary>
    public bool TryTake() => !Budget.IsCancellationRequested && Interlocked.Decrement(ref _left) >= 0;
}
