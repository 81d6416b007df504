namespace Homeserver.Core.Federation.Sending;

/// <summary>What became of one transaction sent to a destination.</summary>
public enum TransactionOutcome
{
    /// <summary>The destination took it (200); errors it names for single PDUs are its own verdicts, not ours to retry.</summary>
    Accepted,

    /// <summary>The destination refused the whole transaction for good (a 4xx other than 408 and 429): sending it again would not help.</summary>
    Refused,

    /// <summary>No answer, a 5xx, a timeout or a rate limit: the destination counts as down and the same transaction is sent again later.</summary>
    Failed,
}
