using System.Collections.Concurrent;
using System.Net;
using System.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Homeserver.IntegrationTests.Accounts.Sso;

/// <summary>
/// A CAS server on a loopback http port. A test issues a ticket for a user and the service it is meant for, as the
/// real server does once the user signed in; <c>/cas/proxyValidate</c> accepts a ticket once, and only for its service.
/// </summary>
public sealed class FakeCasServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (string User, string Service, string Attributes)> _tickets = new();

    private FakeCasServer(WebApplication app, string baseUrl)
    {
        _app = app;
        ServerUrl = baseUrl + "/cas";
    }

    /// <summary>The <c>cas.server_url</c> to configure.</summary>
    public string ServerUrl { get; }

    /// <summary>The validations the homeserver asked for: ticket and service.</summary>
    public ConcurrentQueue<(string Ticket, string Service)> Validations { get; } = new();

    /// <summary>A ticket for <paramref name="user"/> valid for <paramref name="service"/>, with optional attributes as XML elements.</summary>
    public string Issue(string user, string service, string attributes = "")
    {
        var ticket = "ST-" + Guid.NewGuid().ToString("N");
        _tickets[ticket] = (user, service, attributes);
        return ticket;
    }

    public static async Task<FakeCasServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeCasServer? self = null;
        app.MapGet("/cas/proxyValidate", (string? ticket, string? service) =>
        {
            self!.Validations.Enqueue((ticket ?? "", service ?? ""));
            var answer = ticket is not null && self._tickets.TryRemove(ticket, out var t) && t.Service == service
                ? $"<cas:authenticationSuccess><cas:user>{SecurityElement.Escape(t.User)}</cas:user><cas:attributes>{t.Attributes}</cas:attributes></cas:authenticationSuccess>"
                : "<cas:authenticationFailure code=\"INVALID_TICKET\">Ticket not recognised</cas:authenticationFailure>";
            return Results.Content($"<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">{answer}</cas:serviceResponse>", "text/xml");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new FakeCasServer(app, address.TrimEnd('/'));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
