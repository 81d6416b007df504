namespace Homeserver.Host.Configuration;

/// <summary>
/// The documented config that <c>generate-config</c> prints. <c>config.sample.yaml</c> at the repository root
/// is this template's output for localhost (a test keeps the two identical), so every key is documented once.
/// </summary>
public static class ConfigTemplate
{
    public static string Render(string serverName, int port, string dataDir, string database, string? databaseUri)
    {
        var db = database == "postgres"
            ? $"""
                engine: postgres
                # Npgsql connection string of the PostgreSQL database.
                connection_string: "{databaseUri}"
              """
            : """
                engine: sqlite
                # SQLite file (relative paths are inside data_dir). WAL mode, one writer at a time.
                sqlite_path: homeserver.db
                # normal keeps every acknowledged write across a crash of the process; full also across power loss.
                sqlite_synchronous: normal
              """;
        return $$"""
            # Homeserver configuration. Every key can be overridden by an environment variable:
            # HOMESERVER__ followed by the key path in upper case with __ between levels,
            # e.g. HOMESERVER__DATABASE__CONNECTION_STRING or HOMESERVER__LISTENERS__0__PORT.
            # Sizes take K/M/G suffixes (50M); durations take ms/s/m/h/d (30s, 5m, 7d).

            # The domain in user IDs (@alice:example.org). Cannot be changed once users exist.
            server_name: {{serverName}}
            # URL clients reach this server at, advertised in /.well-known/matrix/client and after login.
            # Leave empty to derive it from the first listener.
            public_baseurl:
            # Directory for the database file, keys and media. Relative paths are relative to this config file.
            data_dir: {{dataDir}}
            # Ed25519 federation signing key, Synapse's format ("ed25519 a_XXXX <seed>"); created on first start.
            # Relative paths are inside data_dir.
            signing_key_path: signing.key
            # trace, debug, information, warning, error, critical or none.
            log_level: information
            logging:
              # text: one readable line per entry. json: one JSON object per line (Timestamp, LogLevel, Category,
              # Message, State with the entry's named properties, Scopes with the request's trace and span IDs).
              format: text
            # Version of rooms created without one (createRoom's room_version), the default /capabilities advertises.
            # The spec's default is 12; a network whose servers do not know it yet may need an older one.
            default_room_version: "12"

            listeners:
              # Address and port to listen on. Use 0.0.0.0 or :: to accept connections from other machines.
              - bind_address: 127.0.0.1
                port: {{port}}
                # Optional TLS, for federation peers that connect directly. PEM files.
                # tls:
                #   certificate_path: /etc/homeserver/fullchain.pem
                #   key_path: /etc/homeserver/privkey.pem

            # Reverse proxies (addresses or CIDR ranges) allowed to name the client in X-Forwarded-For, e.g.
            # [127.0.0.1] behind a proxy on this machine. Per-address rate limits, the WebSocket cap, the request log
            # and devices' last-seen addresses then use the client's address. Empty: the header is ignored.
            trusted_proxies: []

            # The web console (docs/operations.md): sign in with an admin account at /_admin/ on the client listener.
            # It only calls the admin API, which needs an admin's token from anywhere; these networks (addresses or
            # CIDR ranges, of the client as trusted_proxies resolves it) are the only ones shown the console at all.
            admin_console:
              enabled: true
              allowed_networks:
                - 127.0.0.0/8
                - "::1/128"

            database:
            {{db}}
              # This node's name among the writers of the database. Every node sharing one PostgreSQL database
              # needs its own; a single server keeps the default.
              instance_name: main

            # Redis, the bus between several nodes sharing one PostgreSQL database (docs/deployment.md): every node
            # hears of the others' writes, typing and logouts through it, and rate limits and the WebSocket cap are
            # counted in it for all of them. Off for a single server.
            redis:
              enabled: false
              # StackExchange.Redis configuration string: host:port, then options such as password=... or ssl=true.
              configuration: 127.0.0.1:6379
              # Prefix of the channel and keys, so that several homeservers can share one Redis.
              prefix: homeserver

            media:
              # Directory of uploaded media (relative paths are inside data_dir).
              store_path: media
              # Where media content lives: filesystem (under store_path) or s3 (the object store below, for several
              # nodes; store_path then holds only uploads in progress). The move-media command moves existing media
              # from one to the other.
              storage: filesystem
              # The S3-compatible object store used when storage is s3.
              s3:
                # Host and optional port of its API, without a scheme; tls chooses https or http.
                endpoint:
                region: us-east-1
                bucket:
                access_key:
                secret_key:
                # Address buckets as endpoint/bucket rather than bucket.endpoint; most self-hosted stores need it.
                path_style: true
                tls: true
              # Largest upload accepted.
              max_upload_size: 50M
              # Other servers' media (and thumbnails) cached for our users: beyond this size the least recently
              # accessed are evicted; 0 for no cap.
              remote_cache_max_size: 10G
              # Total bytes one user may store; 0 for no quota.
              user_quota: 0
              # Asynchronous uploads (/create) one user may have waiting for content, and how long they wait.
              max_pending_uploads: 5
              unused_expiration: 24h
              # Serve the old unauthenticated /_matrix/media/v3/download and thumbnail endpoints, but only for
              # media uploaded before legacy_freeze_date (the spec's move to authenticated media).
              legacy_unauthenticated_endpoints: true
              legacy_freeze_date: 2024-09-04
              # Thumbnail sizes offered; a request gets the closest size that is not smaller.
              thumbnail_sizes:
                - width: 32
                  height: 32
                  method: crop
                - width: 96
                  height: 96
                  method: crop
                - width: 320
                  height: 240
                  method: scale
                - width: 640
                  height: 480
                  method: scale
                - width: 800
                  height: 600
                  method: scale
              # Images with more pixels are refused before decoding (decompression bombs).
              max_image_pixels: 32000000
              # Largest file that is thumbnailed, and the time one thumbnail may take.
              max_thumbnail_source_size: 50M
              thumbnail_timeout: 10s
              # Thumbnails made at once (0: one per CPU core), and requests that may wait for one, each at most
              # thumbnail_timeout; more are answered 429 with Retry-After.
              max_concurrent_thumbnails: 0
              max_queued_thumbnails: 8
              # ffmpeg for video thumbnails (first frame); without it videos have no thumbnail.
              ffmpeg_path: ffmpeg
              # Scheduled clean-up of old media, off while both lifetimes are empty. Local media not downloaded
              # for local_media_lifetime (or, never downloaded, uploaded that long ago) and larger than
              # local_media_min_size is deleted, except avatars in use, quarantined and protected media; cached
              # media of other servers unused for remote_media_lifetime is deleted (fetched again when asked for).
              retention:
                local_media_lifetime:
                local_media_min_size: 0
                remote_media_lifetime:
                interval: 1h

            # URL previews (GET /_matrix/client/v1/media/preview_url): the server fetches a page a user names and
            # answers its Open Graph tags, its image stored as local media. Off by default: when on, users can make the
            # server fetch any public URL. Private, loopback and link-local addresses are always refused, after DNS and
            # at every redirect, unless allowed_ip_ranges lists them.
            url_preview:
              enabled: false
              allowed_ip_ranges: []
              # Further CIDR ranges to refuse on top of the private ones.
              denied_ip_ranges: []
              # URLs never previewed: an entry refuses a URL when every component it names matches (scheme, netloc,
              # hostname, port, path, query, fragment, username, password); each is a glob, or a regular expression
              # when it starts with ^. E.g. - netloc: "*.example.com"  or  - scheme: http
              url_blacklist: []
              # Largest page or image read; a longer answer stops the fetch (502 M_TOO_LARGE).
              max_spider_size: 10M
              # Time allowed for one fetch, redirects and body included.
              request_timeout: 30s
              # Sent as User-Agent and Accept-Language; some sites give Open Graph tags only to crawlers.
              user_agent: Homeserver (bot; URL preview)
              accept_language: [en]
              # How long a preview is answered from the database before the page is fetched again (at most 1d).
              cache_duration: 1h

            registration:
              # Let anyone create an account through /register. Leave off unless you also require a token.
              enabled: false
              # Secret for /_synapse/admin/v1/register (shared-secret admin registration); empty disables it.
              shared_secret:
              # Require one of the tokens below (m.login.registration_token) to register.
              require_token: false
              tokens: []
              # Let anyone get a guest account (/register?kind=guest) to read and join rooms that allow guests; no password.
              allow_guest_access: false

            auth:
              # Lifetime of access tokens for clients that asked for a refresh token; other tokens last until logout.
              access_token_lifetime: 5m
              # How long an unused refresh token stays valid.
              refresh_token_lifetime: 30d
              # HMAC key signing access tokens (relative paths are inside data_dir); created on first start.
              token_key_path: access_token.key
              # Shortest password accepted.
              password_min_length: 8
              # Argon2id cost of stored password hashes.
              argon2_memory_kib: 19456
              argon2_iterations: 2
              # Log in with a JWT from your identity provider (login type org.matrix.login.jwt).
              jwt_login:
                enabled: false
                # HS256/HS384/HS512 with secret, or RS256/ES256/... with public_key_path.
                algorithm: HS256
                secret:
                public_key_path:
                # Required issuer (iss) and accepted audiences (aud); leave empty to not check.
                issuer:
                audiences: []
                # Claim that holds the user's localpart.
                subject_claim: sub

            limits:
              # Largest request body outside media uploads.
              max_request_body_size: 12800K
              # Open WebSocket sync connections from one client address.
              max_websockets_per_address: 100
              # Reads with large answers (/messages, /context, /relations, /threads, /notifications, /members)
              # one account may run at once; more are answered 429.
              max_concurrent_heavy_reads: 4

            presence:
              # Online/offline status with last-active times, sent to users who share a room.
              enabled: true
              # A user with no syncing connection for this long goes offline.
              offline_after: 30s

            # Messages from the server to a user (the admin API's send_server_notice), sent by a system account
            # into a room of the user's own. Off while system_mxid_localpart is empty.
            server_notices:
              system_mxid_localpart:
              system_mxid_display_name:
              # An mxc:// URI.
              system_mxid_avatar_url:
              room_name: Server Notices

            # Token buckets: per_second is the refill rate, burst_count the bucket size. Defaults are Synapse's.
            rate_limits:
              enabled: true
              # Events sent by clients (messages, state events, redactions, kicks and bans), per account.
              message:
                per_second: 0.2
                burst_count: 10
              # Registrations, per client address.
              registration:
                per_second: 0.17
                burst_count: 3
              # Logins, per client address.
              login:
                per_second: 0.003
                burst_count: 5
              # Token refreshes (POST /refresh), per client address.
              refresh:
                per_second: 0.5
                burst_count: 10
              # OpenID token lookups (GET /_matrix/federation/v1/openid/userinfo), per client address.
              openid_userinfo:
                per_second: 2
                burst_count: 20
              # Notary key queries (/_matrix/key/v2/query, which may fetch the keys of the servers named), per client address.
              key_query:
                per_second: 1
                burst_count: 10
              # Failed password checks (login and UIA password stages), per target account; past it even the right password gets 429.
              login_failed_attempts:
                per_second: 0.17
                burst_count: 3
              # Rooms created, per account.
              room_creation:
                per_second: 0.016
                burst_count: 10
              # Joins and knocks, per account.
              joins:
                per_second: 0.1
                burst_count: 10
              # Invites sent, per account.
              invites:
                per_second: 0.3
                burst_count: 10
              # Event and room reports, per account.
              reports:
                per_second: 1
                burst_count: 5
              # URL previews asked for, per account (each may fetch a page and its image).
              url_preview:
                per_second: 1
                burst_count: 10
              # PUT /presence, per account.
              presence:
                per_second: 0.1
                burst_count: 1
              # Typing notices (PUT /rooms/{roomId}/typing), per account; each start or stop wakes every member's sync.
              typing:
                per_second: 1
                burst_count: 10

            # Push notifications to pushers: push gateways (kind http) and Web Push subscriptions (kind webpush).
            push:
              # A device that is syncing, or stopped less than this long ago, gets no push: sync shows it the event.
              online_grace: 10s
              # Notifications still undelivered after this long are dropped rather than delivered late.
              max_age: 1d
              # While a gateway is down its pusher retries after retry_initial, doubling up to retry_max.
              retry_initial: 1s
              retry_max: 10m
              # Time allowed for one request to a gateway or push service.
              request_timeout: 15s
              # VAPID key (P-256, PEM) signing Web Push requests; created on first start. Relative paths are inside
              # data_dir. Replacing it invalidates every Web Push subscription.
              vapid_key_path: vapid.pem
              # Contact for push services in the VAPID token: mailto:admin@example.org or an https URL; empty sends none.
              vapid_subject:
              # Pusher URLs may not point at private, loopback or link-local addresses, and must be https, except
              # for IP addresses in these CIDR ranges (e.g. 10.0.0.5/32 for a gateway on your own network).
              allowed_ip_ranges: []

            # Mail: the tokens proving a user reads an email address (registration with an address, adding one to an
            # account, resetting a forgotten password; docs/auth.md "Email addresses and identity servers"). Off while smtp_host is empty: email
            # requests are then refused with M_THREEPID_DENIED.
            email:
              smtp_host:
              smtp_port: 25
              # Login at the SMTP server; none when smtp_user is empty.
              smtp_user:
              smtp_pass:
              # TLS from the first byte (SMTPS, usually port 465) instead of STARTTLS.
              force_tls: false
              # Refuse to send unless the server offers STARTTLS; false sends in the clear when it does not.
              require_transport_security: false
              # The From address, e.g. "Example Homeserver <noreply@example.org>".
              notif_from:
              # How long a mailed link stays valid.
              validation_token_lifetime: 1h

            # Identity servers that clients name to bind their addresses or invite by email (https only). Like pusher
            # URLs, they may not be private, loopback or link-local addresses unless in allowed_ip_ranges.
            identity_servers:
              request_timeout: 15s
              allowed_ip_ranges: []
              # Accept any certificate from identity servers: for test suites with a self-signed one, never in production.
              insecure_skip_tls_verify_for_tests_only: false

            # Single sign-on through a CAS server (login types m.login.sso and m.login.cas, docs/auth.md). Users are
            # sent to server_url's /login and come back to service_url (public_baseurl when empty); the CAS user
            # becomes the account of the same localpart, made on first login. The CAS server is reached through the
            # outbound address policy: a private or loopback one must be in allowed_ip_ranges.
            cas:
              enabled: false
              server_url:
              service_url:
              # The name clients show on the sign-in button.
              idp_name: CAS
              # The CAS attribute that gives a new account its display name; none when empty.
              displayname_attribute:
              # Attributes a login must carry, e.g. [{name: userGroup, value: staff}]; an empty value accepts any.
              required_attributes: []
              request_timeout: 10s
              allowed_ip_ranges: []

            # The identity server that texts tokens to phone numbers for .../msisdn/requestToken (this server sends no
            # text messages); a server name or an https:// base URL. Empty: those requests are refused.
            account_threepid_delegates:
              msisdn:

            # Message retention (m.room.retention, docs/operations.md "Retention and clean-up"). When enabled, purge
            # jobs delete events older than their room's max_lifetime, never a room's newest event nor its state.
            retention:
              enabled: false
              # The policy of rooms without an m.room.retention state event; empty max_lifetime keeps them forever.
              default_policy:
                min_lifetime:
                max_lifetime:
              # Bounds a room's max_lifetime is held within (empty: no bound).
              allowed_lifetime_min:
              allowed_lifetime_max:
              # Each job purges the rooms whose max_lifetime is longer than shortest_max_lifetime and at most
              # longest_max_lifetime (empty: unbounded), every interval. No jobs: one daily job for every room.
              purge_jobs: []

            # Registration files of application services (bridges and bots), the YAML each bridge generates.
            # Relative paths are inside data_dir. See docs/appservices.md.
            app_service_config_files: []

            # Talking to other homeservers over the server-server API (docs/federation.md).
            federation:
              # Off: only our version and signing key are served, and no request leaves for another server.
              enabled: true
              # Notary servers asked, in order, for a server's signing keys when the server cannot give them itself
              # (down, or no longer publishing an old key), each optionally pinned to one of its keys, e.g.
              # [{server_name: matrix.org, key_id: "ed25519:auto", key: "Noi6..."}]. Without a pin, the key the
              # notary publishes itself is trusted.
              trusted_key_servers: []
              # PEM file of CA certificates trusted besides the system's, for a private network's or a test CA.
              # Relative paths are inside data_dir.
              extra_ca_bundle:
              # Accept any TLS certificate from any server. Only for test networks: it lets anyone on the path
              # impersonate any server.
              insecure_skip_tls_verify_for_tests_only: false
              # Other servers may not be reached at private, loopback or link-local addresses, nor in
              # denied_ip_ranges, except at addresses in allowed_ip_ranges (CIDR ranges, e.g. 10.0.0.0/8).
              allowed_ip_ranges: []
              denied_ip_ranges: []
              # Time allowed to connect to another server, and for one whole request and its answer.
              connect_timeout: 10s
              request_timeout: 60s
              # A destination whose transaction failed is retried after destination_min_retry_interval, then after
              # a wait multiplied by destination_retry_multiplier per further failure, up to
              # destination_max_retry_interval; at once when it contacts us.
              destination_min_retry_interval: 10m
              destination_retry_multiplier: 2
              destination_max_retry_interval: 7d

            # Prometheus metrics (/metrics, also at Synapse's /_synapse/metrics) and the health check (/health) on a
            # listener of their own, never on the client listeners (docs/operations.md). Keep it off the internet.
            metrics:
              enabled: false
              bind_address: 127.0.0.1
              # Must differ from every client listener's port.
              port: 9000

            # OpenTelemetry tracing of requests through the event pipeline and to the database, exported over OTLP.
            tracing:
              enabled: false
              # The OTLP collector (an OpenTelemetry Collector, Jaeger, Tempo...).
              otlp_endpoint: http://127.0.0.1:4317
              # grpc (usually port 4317) or http_protobuf (usually 4318).
              otlp_protocol: grpc
              # Share of requests that start a trace, 0 to 1; a request whose traceparent says sampled is always traced.
              sample_ratio: 1
              # Federation destinations (server names) and push gateway hosts that outbound requests pass the trace
              # context (traceparent) to. Everyone else gets none, so other organisations see no trace IDs of ours.
              trusted_destinations: []

            """;
    }
}
