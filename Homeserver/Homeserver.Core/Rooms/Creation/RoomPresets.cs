namespace Homeserver.Core.Rooms.Creation;

/// <summary>The spec's createRoom presets and what each sets.</summary>
public static class RoomPresets
{
    public const string PrivateChat = "private_chat";
    public const string TrustedPrivateChat = "trusted_private_chat";
    public const string PublicChat = "public_chat";

    public static bool IsKnown(string preset) => preset is PrivateChat or TrustedPrivateChat or PublicChat;

    /// <summary>With no preset, the room's visibility decides: public rooms get <c>public_chat</c>.</summary>
    public static string Effective(string? preset, string? visibility) =>
        preset ?? (visibility == "public" ? PublicChat : PrivateChat);

    public static string JoinRule(string preset) => preset == PublicChat ? "public" : "invite";

    public static string GuestAccess(string preset) => preset == PublicChat ? "forbidden" : "can_join";
}
