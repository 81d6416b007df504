using Homeserver.Core.Errors;

namespace Homeserver.Core.Accounts.Uia;

/// <summary>The 401 that drives user-interactive auth: flows, session and progress, plus the error of a failed stage.</summary>
public sealed class UiaRequiredException(
    IReadOnlyList<IReadOnlyList<string>> flows, string session, IReadOnlyList<string> completed,
    IReadOnlyDictionary<string, object?> stageParams, string? stageErrcode = null, string? stageError = null)
    : MatrixException(401, stageErrcode ?? ErrorCodes.Unauthorized, stageError ?? "Additional authentication required")
{
    public string Session { get; } = session;

    /// <summary>True when a stage the client sent failed; false for the plain challenge of what is still to do.</summary>
    public bool StageFailed => stageErrcode is not null;

    public override IReadOnlyDictionary<string, object?> ToBody()
    {
        var body = new Dictionary<string, object?>
        {
            ["flows"] = flows.Select(f => new Dictionary<string, object?> { ["stages"] = f }).ToList(),
            ["params"] = stageParams,
            ["session"] = Session,
            ["completed"] = completed,
        };
        // The first challenge carries no errcode, as clients read an errcode as "the stage you sent failed".
        if (stageErrcode is not null)
        {
            body["errcode"] = stageErrcode;
            body["error"] = stageError;
        }
        return body;
    }
}
