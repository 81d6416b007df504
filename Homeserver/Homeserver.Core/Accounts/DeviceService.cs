using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts;

/// <summary>A user's own devices as <c>/devices</c> shows and renames them; deleting them is <see cref="SessionService"/>'s, with their sessions.</summary>
public sealed class DeviceService(Database db, DeviceStore devices, TimeProvider time)
{
    public const int MaxDisplayNameLength = 100;

    public Task<IReadOnlyList<DeviceRecord>> ListAsync(UserId userId, CancellationToken ct) => devices.ListAsync(userId.ToString(), ct);

    public async Task<DeviceRecord> GetAsync(UserId userId, string deviceId, CancellationToken ct) =>
        await devices.GetAsync(userId.ToString(), deviceId, ct) ?? throw MatrixException.NotFound("Unknown device");

    public async Task RenameAsync(UserId userId, string deviceId, string? displayName, CancellationToken ct)
    {
        if (displayName is { Length: > MaxDisplayNameLength })
            throw MatrixException.InvalidParam($"display_name is longer than {MaxDisplayNameLength} characters");
        if (!await devices.SetDisplayNameAsync(userId.ToString(), deviceId, displayName, ct))
            throw MatrixException.NotFound("Unknown device");
    }

    /// <summary>A device without a session (an admin's); one that exists keeps its name unless a new one is given.</summary>
    public Task CreateAsync(UserId userId, string deviceId, string? displayName, CancellationToken ct)
    {
        if (displayName is { Length: > MaxDisplayNameLength })
            throw MatrixException.InvalidParam($"display_name is longer than {MaxDisplayNameLength} characters");
        return db.WriteAsync((c, tx) => DeviceStore.InsertIfAbsentAsync(c, tx, new DeviceRecord
        {
            UserId = userId.ToString(), DeviceId = deviceId, DisplayName = displayName, CreatedTs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        }, ct), ct);
    }
}
