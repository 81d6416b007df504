namespace Homeserver.Core.Media;

/// <summary>One user's line of Synapse's <c>/statistics/users/media</c>.</summary>
public sealed class UserMediaStatistics
{
    public string UserId { get; set; } = "";
    public string? Displayname { get; set; }
    public long MediaCount { get; set; }
    public long MediaLength { get; set; }
}
