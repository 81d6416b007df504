namespace Homeserver.Core.Media;

/// <summary>An upload as it arrives: the body stream and what the client said about it.</summary>
public sealed record MediaUpload(Stream Body, long? DeclaredLength, string? ContentType, string? FileName);
