using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.AppServices;

/// <summary>
/// Creates each application service's sender user (<c>sender_localpart</c>) at start if it does not exist yet: the
/// service acts as it without registering it, from its first request.
/// </summary>
public sealed class AppServiceSenderAccounts(AppServiceRegistry registry, AccountService accounts, ILogger<AppServiceSenderAccounts> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var service in registry.All)
        {
            try
            {
                await accounts.CreateAsync(service.SenderLocalpart, password: null, admin: false, login: null, cancellationToken);
                log.LogInformation("Created the sender {UserId} of the application service {AppService}", registry.SenderOf(service), service.Id);
            }
            catch (MatrixException e) when (e.Errcode == ErrorCodes.UserInUse)
            {
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
