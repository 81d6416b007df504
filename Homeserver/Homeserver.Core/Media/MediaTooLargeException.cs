using Homeserver.Core.Errors;

namespace Homeserver.Core.Media;

public sealed class MediaTooLargeException(long limit)
    : MatrixException(413, ErrorCodes.TooLarge, $"Upload is larger than the limit of {limit} bytes");
