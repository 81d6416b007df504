using System.Globalization;
using Homeserver.Core.Errors;

namespace ClientApi.Sync;

/// <summary>The <c>timeout</c> query parameter of the long-polling endpoints (<c>/sync</c>, <c>/events</c>).</summary>
public static class LongPollTimeout
{
    /// <summary>Long polls are held at most this long, whatever the client asks, so proxies and clients see regular answers.</summary>
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    /// <summary>No parameter means answer at once; a value past the cap is held to it; anything but digits is refused.</summary>
    public static TimeSpan Parse(string? timeout) =>
        timeout is null ? TimeSpan.Zero
        : long.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(Math.Min(ms, Max.TotalMilliseconds))
            : throw MatrixException.InvalidParam("timeout must be a non-negative number of milliseconds");
}
