using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>
/// A room under construction for the auth rule tests: real signed events built with <see cref="EventBuilder"/>,
/// each one's auth_events chosen by <see cref="AuthEventSelection"/> from the state so far, and the state
/// kept in an <see cref="AuthStateMap"/>. <see cref="Send"/> adds an event only if the rules allow it, so the
/// set-up of every test is itself a run of the rules.
/// </summary>
internal sealed class TestRoom : IDisposable
{
    public const string Creator = "@creator:example.org";
    public const string Admin = "@admin:example.org";
    public const string Mod = "@mod:example.org";
    public const string Alice = "@alice:example.org";
    public const string Bob = "@bob:other.org";

    public static readonly byte[] Seed = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private readonly SigningKey _key = SigningKey.FromSeed("auth", Seed);

    // Every event of the room, whose reference hashes room versions 1–2 list beside the IDs an event cites.
    private readonly List<Pdu> _events = [];
    private EventId _last;
    private long _depth;

    private TestRoom(RoomVersion version, Pdu create)
    {
        Version = version;
        Create = create;
        State.Set(create);
        _events.Add(create);
        _last = create.EventId;
        _depth = create.Depth;
    }

    public RoomVersion Version { get; }

    public Pdu Create { get; }

    public RoomId RoomId => Create.RoomId;

    public AuthStateMap State { get; } = new();

    public static TheoryData<string> AllVersions => new(RoomVersions.All.Select(version => version.Id));

    /// <summary>The versions with a feature, or without it, for tests of a rule only some versions have.</summary>
    public static TheoryData<string> VersionsWhere(Func<RoomVersion, bool> has) =>
        new(RoomVersions.All.Where(has).Select(version => version.Id));

    public static RoomVersion VersionOf(string id) => RoomVersions.TryGet(id, out RoomVersion? version) ? version : throw new ArgumentException(id);

    /// <summary>A room holding just its create event (see <see cref="CreateContent"/>).</summary>
    public static TestRoom New(RoomVersion version, JsonObject? extraContent = null, string creator = Creator, string roomOpaque = "room") =>
        new(version, BuildCreate(version, CreateContent(version, creator, extraContent), creator, roomOpaque: roomOpaque));

    /// <summary><c>room_version</c>, plus <c>creator</c> where the version needs it, plus <paramref name="extraContent"/>.</summary>
    public static JsonObject CreateContent(RoomVersion version, string creator = Creator, JsonObject? extraContent = null)
    {
        var content = new JsonObject { ["room_version"] = version.Id };
        if (version.CreatorInCreateContent)
        {
            content["creator"] = creator;
        }

        foreach ((string key, JsonNode? value) in extraContent ?? [])
        {
            content[key] = value?.DeepClone();
        }

        return content;
    }

    /// <summary>A create event; before v12 its room ID is <c>!roomOpaque:&lt;roomServer or the sender's server&gt;</c>.</summary>
    public static Pdu BuildCreate(
        RoomVersion version, JsonObject content, string sender = Creator, IReadOnlyList<Pdu>? prevEvents = null,
        string roomOpaque = "room", string? roomServer = null)
    {
        UserId senderId = UserId.Parse(sender);
        using var key = SigningKey.FromSeed("auth", Seed);
        return new EventBuilder
        {
            RoomVersion = version, Type = EventTypes.Create, StateKey = "", Sender = senderId, Content = content,
            RoomId = version.RoomIdIsCreateEventId ? null : RoomId.Create(roomOpaque, roomServer ?? senderId.ServerName),
            // The timestamp follows roomOpaque so that v12 rooms given different names get different IDs.
            PrevEvents = prevEvents?.Select(ev => ev.EventId).ToList() ?? [], ReferenceHashes = ReferenceHasher.ByEventId(prevEvents ?? []),
            Depth = 1, OriginServerTs = 1_700_000_000_000 + roomOpaque.Length,
        }.Build(key);
    }

    /// <summary>A copy of <paramref name="ev"/> also signed as <paramref name="serverName"/> (same event ID: signatures are not hashed).</summary>
    public Pdu CoSign(Pdu ev, string serverName)
    {
        var json = (JsonObject)ev.Json.DeepClone();
        EventSigner.Sign(json, Version, serverName, _key);
        return Pdu.FromJson(json, Version);
    }

    /// <summary>
    /// The usual room: the creator joins; power levels give Admin 100 and Mod 50 (and, before v12, the creator
    /// 100, which v12 forbids listing); the room is public and Admin, Mod and Alice (level 0) join.
    /// </summary>
    public static TestRoom Standard(RoomVersion version)
    {
        TestRoom room = New(version);
        room.Join(Creator);
        var users = new JsonObject { [Admin] = 100, [Mod] = 50 };
        if (!version.PrivilegedCreators)
        {
            users[Creator] = 100;
        }

        room.Send(EventTypes.PowerLevels, Creator, "", new JsonObject { ["users"] = users });
        room.SetJoinRule("public");
        room.Join(Admin);
        room.Join(Mod);
        room.Join(Alice);
        return room;
    }

    public static TestRoom Standard(string versionId) => Standard(VersionOf(versionId));

    public static TestRoom New(string versionId, JsonObject? extraContent = null) => New(VersionOf(versionId), extraContent);

    /// <summary>
    /// An event as the next in the room, not yet checked or added to the state. Events cited that are not the room's
    /// are passed in <paramref name="foreign"/>, for the reference hashes room versions 1–2 list beside their IDs.
    /// </summary>
    public Pdu Build(
        string type, string sender, string? stateKey, JsonObject? content = null,
        IReadOnlyList<EventId>? prevEvents = null, IReadOnlyList<EventId>? authEvents = null, EventId? redacts = null,
        IReadOnlyList<Pdu>? foreign = null)
    {
        content ??= [];
        UserId senderId = UserId.Parse(sender);
        authEvents ??= AuthEventSelection.Select(Version, type, senderId, stateKey, content, State).Select(ev => ev.EventId).ToList();
        return new EventBuilder
        {
            RoomVersion = Version, Type = type, Sender = senderId, StateKey = stateKey, Content = content, RoomId = RoomId,
            PrevEvents = prevEvents ?? [_last], AuthEvents = authEvents, Depth = _depth + 1,
            ReferenceHashes = Version.EventReferencesCarryHashes ? ReferenceHasher.ByEventId([.. _events, .. foreign ?? []]) : new Dictionary<EventId, byte[]>(),
            OriginServerTs = 1_700_000_000_000 + _depth, Redacts = redacts,
        }.Build(_key);
    }

    public Pdu Member(string sender, string target, string membership, JsonObject? extraContent = null)
    {
        var content = new JsonObject { ["membership"] = membership };
        foreach ((string key, JsonNode? value) in extraContent ?? [])
        {
            content[key] = value?.DeepClone();
        }

        return Build(EventTypes.Member, sender, target, content);
    }

    public AuthResult Check(Pdu ev) => EventAuthRules.Check(Version, ev, State);

    /// <summary>Builds, checks and applies an event; set-up that the rules refuse fails the test at once.</summary>
    public Pdu Send(string type, string sender, string? stateKey, JsonObject? content = null) =>
        Apply(Build(type, sender, stateKey, content));

    public Pdu Apply(Pdu ev)
    {
        AuthResult result = Check(ev);
        Assert.True(result.IsAllowed, $"Set-up event {ev.Type} from {ev.Sender} was refused: {result.Reason}");
        return Force(ev);
    }

    /// <summary>Puts an event into the state without checking it, for states the rules could not reach.</summary>
    public Pdu Force(Pdu ev)
    {
        if (ev.IsState)
        {
            State.Set(ev);
        }

        _events.Add(ev);
        _last = ev.EventId;
        _depth = ev.Depth;
        return ev;
    }

    public Pdu Join(string user) => Apply(Member(user, user, "join"));

    public Pdu SetMembership(string sender, string target, string membership) => Apply(Member(sender, target, membership));

    public Pdu SetJoinRule(string joinRule, string sender = Creator) =>
        Send(EventTypes.JoinRules, sender, "", new JsonObject { ["join_rule"] = joinRule });

    /// <summary>Replaces the power levels content, sent by the creator (who can always do so in these rooms).</summary>
    public Pdu SetPowerLevels(JsonObject content) => Send(EventTypes.PowerLevels, Creator, "", content);

    public Pdu PowerLevelsChange(string sender, JsonObject content) => Build(EventTypes.PowerLevels, sender, "", content);

    public void Dispose() => _key.Dispose();
}
