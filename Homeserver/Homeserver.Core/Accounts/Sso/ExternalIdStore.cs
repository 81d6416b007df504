using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts.Sso;

/// <summary>Which identity provider user stands for which local account (<c>user_external_ids</c>).</summary>
public sealed class ExternalIdStore(Database db)
{
    private const string Insert = """
        INSERT INTO user_external_ids (auth_provider, external_id, user_id) VALUES (@Provider, @ExternalId, @UserId)
        ON CONFLICT (auth_provider, external_id) DO NOTHING
        """;
    private const string SelectUser = "SELECT user_id FROM user_external_ids WHERE auth_provider = @Provider AND external_id = @ExternalId";
    private const string SelectAny = "SELECT 1 FROM user_external_ids WHERE user_id = @UserId LIMIT 1";

    public Task AddAsync(string provider, string externalId, string userId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Insert, new { Provider = provider, ExternalId = externalId, UserId = userId }, ct, tx), ct);

    public Task<string?> UserOfAsync(string provider, string externalId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(SelectUser, new { Provider = provider, ExternalId = externalId }, ct), ct);

    public async Task<bool> HasAnyAsync(string userId, CancellationToken ct) =>
        await db.ReadAsync(c => c.FirstOrDefaultAsync<int?>(SelectAny, new { UserId = userId }, ct), ct) is not null;
}
