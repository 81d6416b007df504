using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts;

/// <summary>
/// The third-party IDs of accounts. Only admins set them (Synapse's admin API); this server sends no email or text
/// messages and binds nothing at identity servers.
/// </summary>
public sealed class ThreepidStore(Database db)
{
    private const string SelectOfUser = "SELECT medium, address, validated_at, added_at FROM user_threepids WHERE user_id = @UserId ORDER BY added_at, medium, address";
    private const string DeleteOfUser = "DELETE FROM user_threepids WHERE user_id = @UserId";
    private const string Insert = """
        INSERT INTO user_threepids (user_id, medium, address, validated_at, added_at) VALUES (@UserId, @Medium, @Address, @ValidatedAt, @AddedAt)
        ON CONFLICT (user_id, medium, address) DO NOTHING
        """;

    public Task<IReadOnlyList<ThreepidRecord>> ListAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<ThreepidRecord>(SelectOfUser, new { UserId = userId }, ct), ct);

    /// <summary>Replaces the account's third-party IDs with <paramref name="threepids"/>; the ones it keeps keep their times.</summary>
    public Task ReplaceAsync(string userId, IReadOnlyList<(string Medium, string Address)> threepids, long now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var kept = (await c.ListAsync<ThreepidRecord>(SelectOfUser, new { UserId = userId }, ct, tx))
                .ToDictionary(t => (t.Medium, t.Address));
            await DeleteAllAsync(c, tx, userId, ct);
            foreach (var (medium, address) in threepids)
            {
                var old = kept.GetValueOrDefault((medium, address));
                await c.RunAsync(Insert, new
                {
                    UserId = userId, Medium = medium, Address = address,
                    ValidatedAt = old?.ValidatedAt ?? now, AddedAt = old?.AddedAt ?? now,
                }, ct, tx);
            }
        }, ct);

    public static Task DeleteAllAsync(DbConnection c, DbTransaction tx, string userId, CancellationToken ct) =>
        c.RunAsync(DeleteOfUser, new { UserId = userId }, ct, tx);
}
