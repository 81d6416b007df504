using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Homeserver.Testing.Federation;

/// <summary>
/// A server of ours playing a remote that answers some federation requests as a test says (a hostile or scripted
/// server), in front of everything else it serves: registered on its builder as an <see cref="IStartupFilter"/>.
/// Requests to the paths it answers are recorded with their JSON bodies.
/// </summary>
public sealed class FederationAnswerStub : IStartupFilter
{
    private readonly ConcurrentDictionary<string, Func<HttpRequest, JsonObject>> _answers = new();
    private readonly ConcurrentDictionary<string, int> _refusals = new();

    /// <summary>The requests answered, in order: their path and query, and their body (null for none).</summary>
    public ConcurrentQueue<(string Target, JsonObject? Body)> Requests { get; } = new();

    /// <summary>Answers every request whose path starts with <paramref name="pathPrefix"/> (whole segments) with 200 and what <paramref name="answer"/> gives.</summary>
    public void Answer(string pathPrefix, Func<HttpRequest, JsonObject> answer) => _answers[pathPrefix] = answer;

    /// <summary>Answers every request under <paramref name="pathPrefix"/> with <paramref name="status"/> and no body, as a server lacking the endpoint or failing.</summary>
    public void Refuse(string pathPrefix, int status) => _refusals[pathPrefix] = status;

    /// <summary>The requests answered under <paramref name="pathPrefix"/>.</summary>
    public IReadOnlyList<(string Target, JsonObject? Body)> RequestsTo(string pathPrefix) =>
        Requests.Where(r => r.Target.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (ctx, nextMiddleware) =>
        {
            var answer = _answers.FirstOrDefault(a => ctx.Request.Path.StartsWithSegments(a.Key)).Value;
            var refusal = _refusals.FirstOrDefault(r => ctx.Request.Path.StartsWithSegments(r.Key)).Value;
            if (answer is null && refusal == 0)
            {
                await nextMiddleware(ctx);
                return;
            }
            var body = ctx.Request.ContentLength > 0 ? (await JsonNode.ParseAsync(ctx.Request.Body))?.AsObject() : null;
            Requests.Enqueue((ctx.Request.Path + ctx.Request.QueryString, body));
            if (refusal != 0)
                ctx.Response.StatusCode = refusal;
            else
                await ctx.Response.WriteAsJsonAsync(answer!(ctx.Request));
        });
        next(app);
    };
}
