using System.Security.Cryptography;
using System.Text;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.AppServices;

/// <summary>
/// The application services registered at start, and who owns which identifiers: a user or alias in some service's
/// exclusive namespace is that service's alone to create, and its sender user belongs to it the same way.
/// </summary>
public sealed class AppServiceRegistry(IReadOnlyList<AppServiceRegistration> registrations, ServerIdentity server)
{
    private readonly byte[][] _asTokens = registrations.Select(r => Encoding.UTF8.GetBytes(r.AsToken)).ToArray();

    public IReadOnlyList<AppServiceRegistration> All => registrations;

    public AppServiceRegistration? FindById(string id) => registrations.FirstOrDefault(r => r.Id == id);

    /// <summary>
    /// The service whose <c>as_token</c> this is. Every token is compared, each in constant time, so the answer's
    /// timing says nothing about how much of a token matched (checklist row 20).
    /// </summary>
    public AppServiceRegistration? FindByAsToken(string token)
    {
        var given = Encoding.UTF8.GetBytes(token);
        AppServiceRegistration? found = null;
        for (var i = 0; i < _asTokens.Length; i++)
            if (CryptographicOperations.FixedTimeEquals(given, _asTokens[i]))
                found = registrations[i];
        return found;
    }

    public UserId SenderOf(AppServiceRegistration r) => new(r.SenderLocalpart, server.ServerName);

    /// <summary>Whether the service may act as <paramref name="user"/>: its sender, or a local user its namespaces claim.</summary>
    public bool MayActAs(AppServiceRegistration r, UserId user) =>
        user.ServerName == server.ServerName && (user == SenderOf(r) || r.Users.Any(n => n.Matches(user.ToString())));

    /// <summary>Whether the service's user namespaces (or its sender) cover <paramref name="userId"/>, of any server.</summary>
    public bool Claims(AppServiceRegistration r, string userId) =>
        userId == SenderOf(r).ToString() || r.Users.Any(n => n.Matches(userId));

    /// <summary>The service that holds <paramref name="user"/> exclusively (its sender, or an exclusive namespace), if any.</summary>
    public AppServiceRegistration? ExclusiveOwnerOfUser(UserId user) =>
        registrations.FirstOrDefault(r => user == SenderOf(r) || r.Users.Any(n => n.Exclusive && n.Matches(user.ToString())));

    /// <summary>
    /// Refuses, with <c>M_EXCLUSIVE</c>, a new user that a service other than <paramref name="by"/> holds exclusively,
    /// and a user outside the namespaces of <paramref name="by"/> when a service registers it (spec "Server admin
    /// style permissions"). <paramref name="by"/> is null for an ordinary client.
    /// </summary>
    public void EnsureMayRegister(UserId user, AppServiceRegistration? by)
    {
        if (by is not null && !MayActAs(by, user))
            throw new MatrixException(400, ErrorCodes.Exclusive, $"{user} is outside the user namespaces of the application service {by.Id}");
        if (by is null && ExclusiveOwnerOfUser(user) is { } owner)
            throw new MatrixException(400, ErrorCodes.Exclusive, $"{user} is reserved by the application service {owner.Id}");
    }

    /// <summary>The same rule as <see cref="EnsureMayRegister"/>, for a new room alias.</summary>
    public void EnsureMayCreateAlias(string alias, AppServiceRegistration? by)
    {
        if (by is not null && !by.Aliases.Any(n => n.Matches(alias)))
            throw new MatrixException(400, ErrorCodes.Exclusive, $"{alias} is outside the alias namespaces of the application service {by.Id}");
        if (ExclusiveOwnerOfAlias(alias) is { } owner && owner != by)
            throw new MatrixException(400, ErrorCodes.Exclusive, $"{alias} is reserved by the application service {owner.Id}");
    }

    /// <summary>The service whose exclusive alias namespace claims <paramref name="alias"/>, if any.</summary>
    public AppServiceRegistration? ExclusiveOwnerOfAlias(string alias) =>
        registrations.FirstOrDefault(r => r.Aliases.Any(n => n.Exclusive && n.Matches(alias)));
}
