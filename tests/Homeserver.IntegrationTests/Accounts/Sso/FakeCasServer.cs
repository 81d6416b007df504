using System.Collections.Concurrent;
using System.Security;
using Homeserver.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Homeserver.IntegrationTests.Accounts.Sso;

/// <summary>
/// A CAS server on a loopback http port. A test issues a ticket for a user and the service it is meant for, as the
/// real server does once the user signed in; <c>/cas/proxyValidate</c> accepts a ticket once, and only for its service.
/// </summary>
public sealed class FakeCasServer : IAsyncDisposable
{
    private readonly LoopbackWebApp _web;
    private readonly ConcurrentDictionary<string, (string User, string Service, string Attributes)> _tickets = new();

    private FakeCasServer(LoopbackWebApp web)
    {
        _web = web;
        ServerUrl = new Uri(web.BaseAddress, "/cas").ToString();
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
        FakeCasServer? self = null;
        var web = await LoopbackWebApp.StartAsync(app => app.MapGet("/cas/proxyValidate", (string? ticket, string? service) =>
        {
            self!.Validations.Enqueue((ticket ?? "", service ?? ""));
            var answer = ticket is not null && self._tickets.TryRemove(ticket, out var t) && t.Service == service
                ? $"<cas:authenticationSuccess><cas:user>{SecurityElement.Escape(t.User)}</cas:user><cas:attributes>{t.Attributes}</cas:attributes></cas:authenticationSuccess>"
                : "<cas:authenticationFailure code=\"INVALID_TICKET\">Ticket not recognised</cas:authenticationFailure>";
            return Results.Content($"<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">{answer}</cas:serviceResponse>", "text/xml");
        }));
        self = new FakeCasServer(web);
        return self;
    }

    public ValueTask DisposeAsync() => _web.DisposeAsync();
}
