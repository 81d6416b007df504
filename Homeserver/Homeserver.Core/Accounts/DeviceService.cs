using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Accounts;

/// <summary>
/// A user's own devices as <c>/devices</c> shows and renames them; deleting them is <see cref="SessionService"/>'s, with
/// their sessions. A new or renamed device is a device-list change: the user's other devices and those sharing a room
/// with them see it in <c>device_lists.changed</c>, here and on other servers, as Synapse reports it.
/// </summary>
public sealed class DeviceService(StreamPublisher writer, DeviceStore devices, IEnumerable<IDeviceChangeStep> changeSteps, TimeProvider time)
{
    public const int MaxDisplayNameLength = 100;

    public Task<IReadOnlyList<DeviceRecord>> ListAsync(UserId userId, CancellationToken ct) => devices.ListAsync(userId.ToString(), ct);

    public async Task<DeviceRecord> GetAsync(UserId userId, string deviceId, CancellationToken ct) =>
        await devices.GetAsync(userId.ToString(), deviceId, ct) ?? throw MatrixException.NotFound("Unknown device");

    public async Task RenameAsync(UserId userId, string deviceId, string? displayName, CancellationToken ct)
    {
        if (displayName is { Length: > MaxDisplayNameLength })
            throw MatrixException.InvalidParam($"display_name is longer than {MaxDisplayNameLength} characters");
        var user = userId.ToString();
        var renamed = await writer.WriteAsync(async st =>
        {
            if (!await DeviceStore.SetDisplayNameAsync(st.Connection, st.Transaction, user, deviceId, displayName, ct))
                return false;
            await ChangedAsync(st, userId, deviceId, ct);
            return true;
        }, ct);
        if (!renamed)
            throw MatrixException.NotFound("Unknown device");
    }

    /// <summary>A device without a session (an admin's); one that exists keeps its name unless a new one is given.</summary>
    public Task CreateAsync(UserId userId, string deviceId, string? displayName, CancellationToken ct)
    {
        if (displayName is { Length: > MaxDisplayNameLength })
            throw MatrixException.InvalidParam($"display_name is longer than {MaxDisplayNameLength} characters");
        return writer.WriteAsync(async st =>
        {
            await DeviceStore.InsertIfAbsentAsync(st.Connection, st.Transaction, new DeviceRecord
            {
                UserId = userId.ToString(), DeviceId = deviceId, DisplayName = displayName, CreatedTs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            }, ct);
            await ChangedAsync(st, userId, deviceId, ct);
        }, ct);
    }

    private async Task ChangedAsync(StreamTransaction st, UserId userId, string deviceId, CancellationToken ct)
    {
        foreach (var step in changeSteps)
            await step.OnDeviceChangedAsync(st, userId, deviceId, ct);
    }
}
