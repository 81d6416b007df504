using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts;

/// <summary>
/// Display names and avatars (<c>/profile</c>). A deactivated account has no profile, and the values are capped at
/// Synapse's limits, which other servers and clients already live within (checklist row 11). An avatar is any string,
/// as Synapse takes it: the spec calls it an mxc URI but does not have servers refuse others, and clients show none
/// for what they cannot load.
/// </summary>
public sealed class ProfileService(UserStore users, UserLookup lookup, IEnumerable<IProfileChangeStep> changeSteps, ServerIdentity server,
    IRemoteProfiles remote)
{
    public const string Displayname = "displayname";
    public const string AvatarUrl = "avatar_url";
    public const int MaxDisplaynameLength = 256;
    public const int MaxAvatarUrlLength = 1000;

    public const string NotFound = "Profile not found";

    public sealed record Profile(string? Displayname, string? AvatarUrl);

    /// <summary>A user's profile; another server's user's is asked of their server.</summary>
    public async Task<Profile> GetAsync(UserId userId, CancellationToken ct)
    {
        if (userId.ServerName != server.ServerName)
        {
            var fields = await remote.QueryAsync(userId, null, ct);
            return new Profile(fields.GetValueOrDefault(Displayname), fields.GetValueOrDefault(AvatarUrl));
        }
        return await lookup.GetAsync(userId, ct) is { IsDeactivated: false } u
            ? new Profile(u.Displayname, u.AvatarUrl)
            : throw MatrixException.NotFound(NotFound);
    }

    public async Task<string> GetFieldAsync(UserId userId, string field, CancellationToken ct)
    {
        // Another server may hold fields we do not (extended profiles), so its user's field is asked for by name.
        if (userId.ServerName != server.ServerName)
            return (await remote.QueryAsync(userId, field, ct)).GetValueOrDefault(field)
                ?? throw MatrixException.NotFound($"Profile field '{field}' not set");
        var profile = await GetAsync(userId, ct);
        var value = field switch
        {
            Displayname => profile.Displayname,
            AvatarUrl => profile.AvatarUrl,
            _ => throw MatrixException.NotFound($"Profile field '{field}' not found"),
        };
        return value ?? throw MatrixException.NotFound($"Profile field '{field}' not set");
    }

    /// <summary>A user's change of their own profile, which a suspended account may not make (MSC3823).</summary>
    public async Task SetOwnFieldAsync(UserId userId, string field, string? value, CancellationToken ct)
    {
        if (await users.GetAsync(userId.ToString(), ct) is { IsSuspended: true })
            throw MatrixException.Suspended();
        await SetFieldAsync(userId, field, value, ct);
    }

    /// <summary>Sets one field (null clears it), then lets the other domains follow (<see cref="IProfileChangeStep"/>).</summary>
    public async Task SetFieldAsync(UserId userId, string field, string? value, CancellationToken ct)
    {
        // An empty value clears the field, as Synapse takes it, rather than storing a name or avatar of nothing.
        if (value is "")
            value = null;
        switch (field)
        {
            case Displayname:
                if (value is { Length: > MaxDisplaynameLength })
                    throw MatrixException.InvalidParam($"displayname is longer than {MaxDisplaynameLength} characters");
                await users.SetDisplaynameAsync(userId.ToString(), value, ct);
                break;
            case AvatarUrl:
                if (value is { Length: > MaxAvatarUrlLength })
                    throw MatrixException.InvalidParam($"avatar_url is longer than {MaxAvatarUrlLength} characters");
                await users.SetAvatarUrlAsync(userId.ToString(), value, ct);
                break;
            default:
                throw new MatrixException(400, ErrorCodes.Unrecognized, $"Profile field '{field}' is not supported");
        }
        foreach (var step in changeSteps)
            await step.OnProfileChangedAsync(userId, ct);
    }
}
