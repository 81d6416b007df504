namespace Homeserver.Core.Errors;

/// <summary>
/// A failure the client must see as a Matrix error body. The status is a plain number so the
/// core stays free of HTTP types while still deciding the status the spec assigns to each case.
/// </summary>
public class MatrixException(int status, string errcode, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Errcode { get; } = errcode;

    /// <summary>Extra top-level fields of the error body, e.g. <c>soft_logout</c> or <c>retry_after_ms</c>.</summary>
    public IReadOnlyDictionary<string, object?> Extra { get; init; } = new Dictionary<string, object?>();

    /// <summary>The JSON body the client receives.</summary>
    public virtual IReadOnlyDictionary<string, object?> ToBody()
    {
        var body = new Dictionary<string, object?> { ["errcode"] = Errcode, ["error"] = Message };
        foreach (var (k, v) in Extra)
            body[k] = v;
        return body;
    }

    public static MatrixException Forbidden(string message) => new(403, ErrorCodes.Forbidden, message);
    public static MatrixException BadJson(string message) => new(400, ErrorCodes.BadJson, message);
    public static MatrixException NotJson(string message) => new(400, ErrorCodes.NotJson, message);
    public static MatrixException NotFound(string message) => new(404, ErrorCodes.NotFound, message);
    public static MatrixException MissingParam(string message) => new(400, ErrorCodes.MissingParam, message);
    public static MatrixException InvalidParam(string message) => new(400, ErrorCodes.InvalidParam, message);
    /// <summary>MSC3823: what a suspended account is refused.</summary>
    public static MatrixException Suspended() => new(403, ErrorCodes.UserSuspended, "Your account has been suspended by a server admin");
    public static MatrixException UnknownToken(string message, bool softLogout) =>
        new(401, ErrorCodes.UnknownToken, message) { Extra = new Dictionary<string, object?> { ["soft_logout"] = softLogout } };
}
