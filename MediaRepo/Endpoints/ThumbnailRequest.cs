namespace MediaRepo.Endpoints;

/// <summary>What a thumbnail request asks for: the box, the method, whether to keep animation, and how long to wait for pending media.</summary>
internal sealed record ThumbnailRequest(int Width, int Height, string Method, bool Animated, long? TimeoutMs);
