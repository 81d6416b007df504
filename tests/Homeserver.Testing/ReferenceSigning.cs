using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Homeserver.Testing;

/// <summary>
/// The reference check of our signatures: tests/reference/verify_pdus.py run with Debian's python3-signedjson, a
/// second implementation of canonical JSON, redaction, content hashes and event IDs that shares nothing with ours.
/// </summary>
public static class ReferenceSigning
{
    /// <summary>Debian's interpreter, which python3-signedjson installs into; another python3 on PATH may lack it.</summary>
    private const string Python = "/usr/bin/python3";

    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public sealed record Verdict(string EventId, bool SignatureOk, bool ContentHashOk, bool EventIdOk, string? Error);

    /// <summary>Verifies each PDU as signed by <paramref name="serverName"/> with the given published key.</summary>
    public static async Task<IReadOnlyList<Verdict>> VerifyAsync(string serverName, string keyId, string publicKey, string roomVersion,
        IEnumerable<(string EventId, JsonObject Pdu)> events)
    {
        if (!File.Exists(Python))
            throw new InvalidOperationException($"{Python} is missing; the reference signature tests need Debian's python3 and python3-signedjson (tests/run.sh installs them).");
        var input = new JsonObject
        {
            ["server_name"] = serverName,
            ["key_id"] = keyId,
            ["public_key"] = publicKey,
            ["room_version"] = roomVersion,
            ["events"] = new JsonArray(events.Select(e => (JsonNode)new JsonObject { ["event_id"] = e.EventId, ["pdu"] = e.Pdu.DeepClone() }).ToArray()),
        };
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "tests", "reference", "verify_pdus.py"));
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input.ToJsonString());
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"verify_pdus.py failed (exit {process.ExitCode}); python3-signedjson missing? {await errors}");
        return JsonSerializer.Deserialize<List<Verdict>>(await output, SnakeCase)!;
    }
}
