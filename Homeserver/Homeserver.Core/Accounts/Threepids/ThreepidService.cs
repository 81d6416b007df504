using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Accounts.Threepids;

/// <summary>
/// An account's third-party IDs as its user manages them (spec "Adding Account Administrative Contact Information"):
/// adding an address proven by a validation session, removing one, and binding or unbinding it at identity servers.
/// An address belongs to one account at most.
/// </summary>
public sealed class ThreepidService(Database db, ThreepidStore store, ValidationService validation, IdentityServerClient identityServers, TimeProvider time,
    ILogger<ThreepidService> log)
{
    /// <summary>What <c>id_server_unbind_result</c> says when every identity server unbound the address.</summary>
    public const string UnbindSuccess = "success";
    public const string UnbindNoSupport = "no-support";

    public Task<IReadOnlyList<ThreepidRecord>> ListAsync(UserId userId, CancellationToken ct) => store.ListAsync(userId.ToString(), ct);

    /// <summary>The account an address belongs to, for a login naming it; null when none.</summary>
    public async Task<UserId?> FindUserAsync(string medium, string address, CancellationToken ct)
    {
        var canonical = medium == ValidationService.Email ? address.Trim().ToLowerInvariant() : address;
        return await store.FindOwnerAsync(medium, canonical, ct) is { } owner && UserId.TryParse(owner, out var id) ? id : null;
    }

    /// <summary>
    /// Adds the address of validation session <paramref name="sid"/> to the account: a session of ours, or, when the
    /// client names an identity server, one that server validated (the deprecated <c>POST /account/3pid</c>).
    /// </summary>
    public async Task AddAsync(UserId userId, string? sid, string? clientSecret, string? idServer, string? idAccessToken, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(sid) || string.IsNullOrEmpty(clientSecret))
            throw MatrixException.MissingParam("sid and client_secret are required");
        ValidationService.ValidateClientSecret(clientSecret);
        var session = await validation.FindValidatedAsync(sid, clientSecret, ct);
        (string Medium, string Address) threepid;
        if (session is not null)
            threepid = (session.Medium, session.Address);
        else if (!string.IsNullOrEmpty(idServer) && !string.IsNullOrEmpty(idAccessToken))
            threepid = await identityServers.GetValidatedAsync(IdentityServerClient.NormaliseName(idServer), idAccessToken, sid, clientSecret, ct);
        else
            throw new MatrixException(400, ErrorCodes.ThreepidAuthFailed, "No validated third-party ID for this session");
        var validatedAt = session?.ValidatedTs ?? time.GetUtcNow().ToUnixTimeMilliseconds();
        await AddValidatedAsync(userId, threepid.Medium, threepid.Address, validatedAt, ct);
        if (session is not null)
            await validation.SpendAsync(session.SessionId, ct);
    }

    /// <summary>Gives a new account the address its registration proved (UIA's <c>m.login.email.identity</c>), spending the session.</summary>
    public async Task AddRegisteredAsync(UserId userId, string validationSessionId, CancellationToken ct)
    {
        if (await validation.FindValidatedAsync(validationSessionId, ct) is not { } session)
            return;
        await AddValidatedAsync(userId, session.Medium, session.Address, session.ValidatedTs!.Value, ct);
        await validation.SpendAsync(session.SessionId, ct);
    }

    /// <summary>Adds a proven address; 400 <c>M_THREEPID_IN_USE</c> when another account has it.</summary>
    public async Task AddValidatedAsync(UserId userId, string medium, string address, long validatedAt, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await db.WriteAsync(async (c, tx) =>
        {
            var owner = await ThreepidStore.FindOwnerAsync(c, tx, medium, address, ct);
            if (owner is not null && owner != userId.ToString())
                throw new MatrixException(400, ErrorCodes.ThreepidInUse, "This address is already in use by another account");
            await ThreepidStore.InsertAsync(c, tx, userId.ToString(), medium, address, validatedAt, now, ct);
        }, ct);
        log.LogInformation("Added a third-party ID ({Medium}) to {UserId}", medium, userId);
    }

    /// <summary>Removes the address from the account and unbinds it from the identity servers; the <c>id_server_unbind_result</c>.</summary>
    public async Task<string> DeleteAsync(UserId userId, string? medium, string? address, string? idServer, CancellationToken ct)
    {
        var (m, a) = Required(medium, address);
        var result = await UnbindAsync(userId, m, a, idServer, ct);
        await store.DeleteAsync(userId.ToString(), m, a, ct);
        return result;
    }

    /// <summary>Binds the address an identity server validated in <paramref name="sid"/> to the user there, and remembers where.</summary>
    public async Task BindAddressAsync(UserId userId, string? idServer, string? idAccessToken, string? sid, string? clientSecret, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(idServer) || string.IsNullOrEmpty(idAccessToken) || string.IsNullOrEmpty(sid) || string.IsNullOrEmpty(clientSecret))
            throw MatrixException.MissingParam("id_server, id_access_token, sid and client_secret are required");
        ValidationService.ValidateClientSecret(clientSecret);
        var server = IdentityServerClient.NormaliseName(idServer);
        var (medium, address) = await identityServers.BindAsync(server, idAccessToken, sid, clientSecret, userId.ToString(), ct);
        await store.AddBindingAsync(userId.ToString(), medium, address, server, ct);
        log.LogInformation("Bound a third-party ID ({Medium}) of {UserId} at {IdServer}", medium, userId, server);
    }

    /// <summary>
    /// Unbinds the address at <paramref name="idServer"/>, or at every identity server this server bound it at when
    /// none is named; the <c>id_server_unbind_result</c>.
    /// </summary>
    public async Task<string> UnbindAsync(UserId userId, string? medium, string? address, string? idServer, CancellationToken ct)
    {
        var (m, a) = Required(medium, address);
        var servers = string.IsNullOrEmpty(idServer)
            ? (await store.ListBindingsAsync(userId.ToString(), ct)).Where(b => b.Medium == m && b.Address == a).Select(b => b.IdServer).ToList()
            : [IdentityServerClient.NormaliseName(idServer)];
        var all = true;
        foreach (var server in servers)
        {
            var binding = new ThreepidBinding { Medium = m, Address = a, IdServer = server };
            all &= await identityServers.UnbindAsync(server, userId.ToString(), m, a, ct);
            await store.DeleteBindingAsync(userId.ToString(), binding, ct);
        }
        return all ? UnbindSuccess : UnbindNoSupport;
    }

    /// <summary>At deactivation: unbinds every address this server bound; true when every identity server did.</summary>
    public async Task<bool> UnbindAllAsync(UserId userId, CancellationToken ct)
    {
        var all = true;
        foreach (var binding in await store.ListBindingsAsync(userId.ToString(), ct))
        {
            try
            {
                all &= await identityServers.UnbindAsync(binding.IdServer, userId.ToString(), binding.Medium, binding.Address, ct);
            }
            catch (MatrixException e)
            {
                // One identity server that is down must not stop the deactivation; the answer says not all were unbound.
                log.LogWarning("Could not unbind a third-party ID of deactivated {UserId} at {IdServer}: {Error}", userId, binding.IdServer, e.Message);
                all = false;
            }
            await store.DeleteBindingAsync(userId.ToString(), binding, ct);
        }
        return all;
    }

    private static (string Medium, string Address) Required(string? medium, string? address)
    {
        if (string.IsNullOrEmpty(medium) || string.IsNullOrEmpty(address))
            throw MatrixException.MissingParam("medium and address are required");
        return (medium, medium == ValidationService.Email ? address.Trim().ToLowerInvariant() : address);
    }
}
