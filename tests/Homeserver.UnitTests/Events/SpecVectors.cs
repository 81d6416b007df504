using Homeserver.Core.Keys;

namespace Homeserver.UnitTests.Events;

/// <summary>The spec's test signing key (appendices, "Cryptographic Test Vectors") and event fixtures shared by the event tests.</summary>
internal static class SpecVectors
{
    public const string ServerName = "domain";
    public const string KeyId = "ed25519:1";

    public const string MinimalEvent = """
        {
            "room_id": "!x:domain",
            "sender": "@a:domain",
            "origin": "domain",
            "origin_server_ts": 1000000,
            "signatures": {},
            "hashes": {},
            "type": "X",
            "content": {},
            "prev_events": [],
            "auth_events": [],
            "depth": 3,
            "unsigned": {
                "age_ts": 1000000
            }
        }
        """;

    public const string RedactableEvent = """
        {
            "content": {
                "body": "Here is the message content"
            },
            "event_id": "$0:domain",
            "origin": "domain",
            "origin_server_ts": 1000000,
            "type": "m.room.message",
            "room_id": "!r:domain",
            "sender": "@u:domain",
            "signatures": {},
            "unsigned": {
                "age_ts": 1000000
            }
        }
        """;

    public static SigningKey CreateKey() => SigningKey.Parse("ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");
}
